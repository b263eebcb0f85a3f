"""Shared indicators pages: the dashboard, exports, comparison between territories, open data."""
import csv
import io
from datetime import date

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coopserv.accounts.access import has_role
from coopserv.accounts.models import GOVERNANCE_MEMBER, TERRITORY_ADMIN
from coopserv.indicators import charts, services, summary
from coopserv.modules.services import get_module, list_modules
from coopserv.plugin_host import plugin_host
from coopserv.schemas import EARLIEST_YEAR, LATEST_YEAR
from coopserv.tenancy import current_territory
from coopserv.web import roles_required, territory_blueprint

bp = territory_blueprint("indicators", __name__, url_prefix="/indicators")
public_bp = territory_blueprint("open_data", __name__, url_prefix="/open-data")
READERS = (TERRITORY_ADMIN, GOVERNANCE_MEMBER)


def _period():
    """The months asked for (?start=YYYY-MM&end=YYYY-MM), the last twelve by default, at most five years."""
    end = _parse_month(request.args.get("end")) or services.current_month()
    start = _parse_month(request.args.get("start")) or date(end.year - 1, end.month, 1)
    start = services.next_month(start) if not request.args.get("start") else start
    if start > end or len(services.months_between(start, end)) > 60:
        start = date(end.year - 1, end.month, 1)
    return start, end


def _parse_month(text):
    try:
        year, month = (int(part) for part in (text or "").split("-")[:2])
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            return None
        return date(year, month, 1)
    except ValueError:
        return None


def _targets():
    """Targets that service projects set, by indicator key (none when no project set one)."""
    return {key: target for _plugin, answers in plugin_host().call_each("indicator_targets",
                                                                        territory=current_territory())
            for key, target in answers.items()}


def _enabled_indicators():
    """The core's indicators, then those of the enabled modules."""
    enabled = {m.id for m in list_modules(enabled_only=True)}
    return [(indicator, module) for indicator, module in services.territory_indicators()
            if module is None or module.id in enabled]


#: Quick periods offered above the dashboard, in months.
PERIOD_PRESETS = (3, 6, 12, 24)
#: The "service" filter's value for the method's own indicators (needs, committee, decisions).
METHOD = "method"


@bp.get("/")
@roles_required(*READERS)
def dashboard():
    """A summary row (targets, distance, trend), then every indicator of the chosen service and months."""
    start, end = _period()
    targets = _targets()
    sharing = services.sharing_settings()
    service = request.args.get("service", "")
    indicators = _enabled_indicators()
    services_shown = sorted({module.service_key for _indicator, module in indicators if module is not None})
    if service == METHOD:
        indicators = [(indicator, module) for indicator, module in indicators if module is None]
    elif service:
        indicators = [(indicator, module) for indicator, module in indicators
                      if module is not None and module.service_key == service]
    cards = []
    for index, ((indicator, module), points) in enumerate(zip(indicators, services.series_of(indicators, start, end))):
        target = targets.get(indicator.key)
        reading = summary.read(indicator, points, target)
        chart = charts.monthly_bars(f"chart-{index}", _(indicator.label), _(indicator.unit), points, target) \
            if reading.has_data else None
        cards.append(dict(indicator=indicator, module=module, points=points, chart=chart, target=target,
                          reading=reading, latest=reading.latest, sharing=sharing.get(indicator.key)))
    cards.sort(key=lambda card: not card["reading"].has_data)  # stable: empty ones last, in their order
    return render_template("indicators/dashboard.html", cards=cards, summary=summary.summary(cards), start=start,
                           end=end, is_admin=has_role(TERRITORY_ADMIN), service=service, method=METHOD,
                           services_shown=services_shown, preset=_preset(start, end),
                           presets=[(months, preset_start(months)) for months in PERIOD_PRESETS],
                           this_month=services.current_month())


def _preset(start, end):
    """The preset the period matches (months counted up to the current month), or None."""
    months = len(services.months_between(start, end))
    return months if months in PERIOD_PRESETS and end == services.current_month() else None


def preset_start(months):
    """The first month of a preset period ending this month."""
    month = services.current_month()
    for _step in range(months - 1):
        month = date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)
    return month


def _export(key, public_only):
    indicator = plugin_host().indicators.get(key)
    if indicator is None:
        abort(404)
    module = get_module(indicator.service_key) if indicator.service_key else None
    if indicator.service_key and module is None:
        abort(404)
    if public_only:
        sharing = services.sharing_settings().get(key)
        if sharing is None or not sharing.public:
            abort(404)
    start, end = _period()
    points = services.series(indicator, module, start, end)
    territory = current_territory()
    if request.path.endswith(".csv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["territory", "indicator", "unit", "month", "value"])
        for month, value in points:
            writer.writerow([territory.slug, key, indicator.unit, month.isoformat(), _csv_number(value)])
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={territory.slug}-{key}.csv"})
    return jsonify({"territory": territory.slug, "indicator": key, "unit": indicator.unit,
                    "label": _(indicator.label),
                    "points": [{"month": month.isoformat(), "value": value} for month, value in points]})


def _csv_number(value):
    """A figure as exported: the same text whether it was computed, cached or snapshotted (42, not 42.0)."""
    if value is None:
        return ""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@bp.get("/<key>.csv")
@bp.get("/<key>.json")
@roles_required(*READERS)
def export(key):
    """Download an indicator's monthly series as CSV or JSON."""
    return _export(key, public_only=False)


@bp.post("/<key>/sharing")
@roles_required(TERRITORY_ADMIN)
def sharing(key):
    """Opt in or out of comparison with other territories and of the public open-data page."""
    if key not in plugin_host().indicators:
        abort(404)
    services.set_sharing(key, request.form.get("compare") == "on", request.form.get("public") == "on")
    flash(_("Sharing choices saved."), "success")
    return redirect(url_for("indicators.dashboard"))


@bp.get("/<key>/compare")
@roles_required(*READERS)
def compare(key):
    """This indicator beside the other territories that share it (only if this territory shares it too)."""
    indicator = plugin_host().indicators.get(key)
    own = services.sharing_settings().get(key)
    if indicator is None:
        abort(404)
    if own is None or not own.compare:
        flash(_("Share this indicator first: comparison is between territories that all share it."), "info")
        return redirect(url_for("indicators.dashboard"))
    start, end = _period()
    rows = services.comparison(indicator, start, end)
    per_thousand = indicator.per_employees
    chart_rows = [(t.name, per if per_thousand else value) for t, value, per in rows]
    unit = _("per 1,000 employees") if per_thousand else _(indicator.unit)
    chart = charts.comparison_bars("compare-chart", _(indicator.label), unit, chart_rows)
    return render_template("indicators/compare.html", indicator=indicator, rows=rows, chart=chart, start=start,
                           end=end, per_thousand=per_thousand)


@public_bp.get("/")
def open_data():
    """What the territory publishes for everyone, without signing in."""
    shared = services.sharing_settings()
    items = [(indicator, module) for indicator, module in _enabled_indicators()
             if shared.get(indicator.key) is not None and shared[indicator.key].public]
    start, end = _period()
    cards = []
    for index, ((indicator, module), points) in enumerate(zip(items, services.series_of(items, start, end))):
        cards.append(dict(indicator=indicator, points=points,
                          chart=charts.monthly_bars(f"open-{index}", _(indicator.label), _(indicator.unit), points)))
    return render_template("indicators/open_data.html", cards=cards, start=start, end=end,
                           signed_in=current_user.is_authenticated, feeds=_open_data_links())


def _open_data_links():
    """The feeds plugins publish (open_data_links hook), keeping only well-formed links."""
    links = plugin_host().collect("open_data_links", territory=current_territory())
    return [link for link in links
            if isinstance(link, dict) and isinstance(link.get("label"), str) and isinstance(link.get("url"), str)]


@public_bp.get("/<key>.csv")
@public_bp.get("/<key>.json")
def open_data_export(key):
    return _export(key, public_only=True)
