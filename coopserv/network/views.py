"""Network pages under /n/<network>/: coordinators' side-by-side views; the library and events for members."""
from datetime import date, timedelta
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.extensions import db, limiter
from coopserv.indicators import charts
from coopserv.plugin_host import plugin_host
from coopserv.projects.models import OUTCOMES, STAGES
from coopserv.tokens.schemas import load_token_form
from coopserv.web import form_data, json_error, wants_json

from . import access, events, practices, services
from .models import EVENT_KINDS, NetworkToken
from .schemas import (
    AttendanceSchema,
    LibraryQuerySchema,
    MinutesSchema,
    NetworkEventSchema,
    RegistrationSchema,
    SeminarSessionSchema,
)

bp = Blueprint("network", __name__, url_prefix="/n/<network_slug>")
PAGE_SIZE = 25


@bp.url_value_preprocessor
def _load_network(endpoint, values):
    access.require_network(values.pop("network_slug"))


@bp.url_defaults
def _add_network_slug(endpoint, values):
    network = access.current_network()
    if network is not None and "network_slug" not in values:
        values["network_slug"] = network.slug


def _guard(check):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not check(access.current_network()):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


coordinator_required = _guard(access.is_coordinator)
reader_required = _guard(access.can_read)


def _page():
    number = request.args.get("page", 1, type=int)
    return min(max(number, 1), 10_000)


def _context(**extra):
    network = access.current_network()
    return {"network": network, "coordinator": access.is_coordinator(network), "stages": STAGES,
            "outcomes": OUTCOMES, "event_kinds": EVENT_KINDS, **extra}


def _invalid(error, page):
    db.session.rollback()
    if wants_json():
        return json_error(422, _("Please correct the fields marked below."), error.messages)
    return page(error.messages), 422


# -- coordinators: the network side by side ---------------------------------------------------
@bp.get("/")
@coordinator_required
def overview():
    network = access.current_network()
    recent, _total = services.decisions(network, limit=5)
    return render_template("network/overview.html", **_context(
        territories=services.member_territories(network), by_stage=services.projects_by_stage(network),
        decisions=recent, upcoming=events.upcoming(network), coordinators=services.coordinators(network)))


@bp.get("/indicators")
@coordinator_required
def indicators():
    """Every indicator members share, territories side by side (per 1,000 employees where it makes sense)."""
    network = access.current_network()
    month = _requested_month()
    return render_template("network/indicators.html", **_context(
        territories=services.member_territories(network), matrix=services.side_by_side(network, month),
        month=month, months=_recent_months()))


def _recent_months(count=24):
    """The last ``count`` closed months and the current one, newest first (the month picker)."""
    from coopserv.indicators.services import current_month, month_start

    month = current_month()
    months = []
    for _step in range(count + 1):
        months.append(month)
        month = month_start(month - timedelta(days=1))
    return months


def _requested_period():
    """?start=YYYY-MM&end=YYYY-MM (at most five years); the last closed month by default."""
    from coopserv.indicators.services import months_between

    def parse(text):
        try:
            year, number = (int(part) for part in (text or "").split("-")[:2])
            return date(year, number, 1) if 1900 <= year <= 2100 else None
        except ValueError:
            return None

    default = _recent_months()[1]
    start = parse(request.args.get("start")) or default
    end = parse(request.args.get("end")) or max(start, default)
    if end < start or len(months_between(start, end)) > 60:
        return default, default
    return start, end


def _requested_month():
    """?month=YYYY-MM among the recent months; the last closed month by default."""
    months = _recent_months()
    wanted = request.args.get("month", "")
    return next((m for m in months if m.strftime("%Y-%m") == wanted), months[1])


@bp.get("/indicators/<key>")
@coordinator_required
def indicator(key):
    network = access.current_network()
    found = plugin_host().indicators.get(key)
    if found is None or found not in services.network_indicators(network):
        abort(404)
    start, end = _requested_period()
    rows = services.compare(network, found, start, end)
    unit = _("per 1,000 employees") if found.per_employees else _(found.unit)
    chart = charts.comparison_bars("network-compare", _(found.label), unit,
                                   [(t.name, per if found.per_employees else value) for t, value, per in rows])
    months, history = services.history(network, found)
    return render_template("network/indicator.html", **_context(
        indicator=found, rows=rows, chart=chart, start=start, end=end, history=history, history_months=months,
        territories=services.member_territories(network)))


@bp.get("/projects")
@coordinator_required
def projects():
    network = access.current_network()
    stage = request.args.get("stage") if request.args.get("stage") in STAGES else None
    territory_id = request.args.get("territory", type=int)
    page = _page()
    rows, total = services.projects(network, stage, territory_id, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("network/projects.html", **_context(
        territories=services.member_territories(network), by_stage=services.projects_by_stage(network),
        rows=rows, total=total, page=page, has_more=page * PAGE_SIZE < total, stage=stage,
        territory_id=territory_id))


@bp.get("/decisions")
@coordinator_required
def decisions():
    network = access.current_network()
    page = _page()
    rows, total = services.decisions(network, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("network/decisions.html", **_context(rows=rows, total=total, page=page,
                                                                has_more=page * PAGE_SIZE < total))


# -- the practices library, as the network sees it --------------------------------------------
@bp.get("/practices/")
@reader_required
def library():
    network = access.current_network()
    try:
        query = LibraryQuerySchema().load(request.args.to_dict())
    except ValidationError:
        query = {"q": "", "service_key": None}
    page = _page()
    sheets, total = practices.search([network.id], query["q"], query["service_key"], PAGE_SIZE,
                                     (page - 1) * PAGE_SIZE)
    return render_template("network/library.html", **_context(
        sheets=sheets, total=total, page=page, has_more=page * PAGE_SIZE < total, query=query,
        services=practices.searchable_services([network.id]), replications=practices.replication_counts(
            [s.id for s in sheets]), service_types=plugin_host().service_types, labels=practices.labels(),
        sheet_endpoint="network.sheet"))


@bp.get("/practices/<int:sheet_id>")
@reader_required
def sheet(sheet_id):
    network = access.current_network()
    found = practices.get_sheet(sheet_id, [network.id])
    if found is None:
        abort(404)
    return render_template("network/sheet.html", **_context(sheet=found, replications=practices.replications(found),
                                                            labels=practices.labels(), replicate_url=None))


# -- events --------------------------------------------------------------------------------------
@bp.get("/events/")
@reader_required
def event_list():
    network = access.current_network()
    page = _page()
    found = events.list_events(network, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    total = events.count_events(network)
    return render_template("network/events.html", **_context(
        events=found, counts=events.registration_counts([e.id for e in found]), page=page,
        has_more=page * PAGE_SIZE < total))


def _event_or_404(event_id):
    found = events.get_event(access.current_network(), event_id)
    if found is None:
        abort(404)
    return found


def _event_form_options():
    network = access.current_network()
    return {"territory_options": [(t.id, t.name) for t in services.member_territories(network)],
            "partners": network.partners, "kind_options": [(k, _(v)) for k, v in EVENT_KINDS.items()]}


def _form_values():
    values = form_data()
    for name in ("organiser_ids",):
        if isinstance(values.get(name), str):
            values[name] = [values[name]]
    return values


@bp.route("/events/new", methods=["GET", "POST"])
@coordinator_required
def new_event():
    values = _form_values() if request.method == "POST" else {"kind": "seminar"}
    page = lambda errors: render_template("network/event_form.html", **_context(  # noqa: E731
        values=values, errors=errors, event=None, **_event_form_options()))
    if request.method == "POST":
        try:
            created = events.save_event(access.current_network(), NetworkEventSchema().load(values))
        except ValidationError as error:
            return _invalid(error, page)
        flash(_("The event is created."), "success")
        return redirect(url_for("network.event", event_id=created.id))
    return page({})


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_event(event_id):
    found = _event_or_404(event_id)
    if request.method == "POST":
        values = _form_values()
    else:
        values = {name: getattr(found, name) for name in ("kind", "title", "starts_on", "ends_on", "place",
                                                          "host_territory_id", "description", "capacity")}
        values["organiser_ids"] = [p.id for p in found.organisers]
    page = lambda errors: render_template("network/event_form.html", **_context(  # noqa: E731
        values=values, errors=errors, event=found, **_event_form_options()))
    if request.method == "POST":
        try:
            events.save_event(access.current_network(), NetworkEventSchema().load(values), found)
        except ValidationError as error:
            return _invalid(error, page)
        flash(_("Saved."), "success")
        return redirect(url_for("network.event", event_id=found.id))
    return page({})


def _event_page(found, errors=None, failed=None, values=None, status=200):
    network = access.current_network()
    return render_template("network/event.html", **_context(
        event=found, registration=events.registration_of(found, current_user), open=events.is_open(found),
        may_register_others=access.is_coordinator(network) or bool(access.admin_territory_ids(network)),
        member_territories={t.id: t for t in services.member_territories(network)},
        errors=errors or {}, failed=failed, values=values or {})), status


@bp.get("/events/<int:event_id>")
@reader_required
def event(event_id):
    return _event_page(_event_or_404(event_id))


@bp.post("/events/<int:event_id>/register")
@reader_required
@limiter.limit("30 per minute")
def register(event_id):
    """Register oneself; coordinators (anyone of the network) and territory admins (their people) name someone."""
    network = access.current_network()
    found = _event_or_404(event_id)
    values = form_data()
    try:
        data = RegistrationSchema().load(values)
        if data.get("email"):
            allowed = None if access.is_coordinator(network) else access.admin_territory_ids(network)
            if allowed is not None and not allowed:
                abort(403)
            events.register_by_email(network, found, data["email"], current_user, allowed)
        else:
            events.register(network, found, current_user, current_user, data.get("from_territory_id"))
    except ValidationError as error:
        return _invalid(error, lambda errors: _event_page(found, errors, "register", values)[0])
    if wants_json():
        return {"registered": True}, 201
    flash(_("The registration is recorded."), "success")
    return redirect(url_for("network.event", event_id=found.id))


@bp.post("/events/<int:event_id>/unregister")
@reader_required
def unregister(event_id):
    found = _event_or_404(event_id)
    events.unregister(found, current_user)
    flash(_("You are no longer registered."), "success")
    return redirect(url_for("network.event", event_id=found.id))


@bp.post("/events/<int:event_id>/agenda")
@coordinator_required
def agenda(event_id):
    found = _event_or_404(event_id)
    values = form_data()
    try:
        events.add_agenda_item(found, SeminarSessionSchema().load(values))
    except ValidationError as error:
        return _invalid(error, lambda errors: _event_page(found, errors, "agenda", values)[0])
    flash(_("Saved."), "success")
    return redirect(url_for("network.event", event_id=found.id))


@bp.post("/events/<int:event_id>/attendance")
@coordinator_required
def attendance(event_id):
    found = _event_or_404(event_id)
    values = form_data()
    if isinstance(values.get("present_ids"), str):
        values["present_ids"] = [values["present_ids"]]
    try:
        events.set_attendance(found, AttendanceSchema().load(values)["present_ids"])
    except ValidationError as error:
        return _invalid(error, lambda errors: _event_page(found, errors, "attendance", values)[0])
    flash(_("Attendance saved."), "success")
    return redirect(url_for("network.event", event_id=found.id))


@bp.post("/events/<int:event_id>/minutes")
@coordinator_required
def minutes(event_id):
    found = _event_or_404(event_id)
    values = form_data()
    try:
        events.save_minutes(found, MinutesSchema().load(values)["minutes"])
    except ValidationError as error:
        return _invalid(error, lambda errors: _event_page(found, errors, "minutes", values)[0])
    flash(_("The minutes are shared with the network."), "success")
    return redirect(url_for("network.event", event_id=found.id))


# -- coordinators' API tokens ---------------------------------------------------------------------------
def _tokens_page(errors=None, values=None, secret=None, created=None, status=200):
    network = access.current_network()
    return render_template("network/tokens.html", **_context(
        tokens=services.user_tokens(network, current_user), errors=errors or {}, values=values or {},
        secret=secret, created=created)), status


@bp.get("/tokens")
@coordinator_required
def tokens():
    return _tokens_page()


@bp.post("/tokens")
@coordinator_required
@limiter.limit("10 per hour", key_func=lambda: f"network-token-create:{current_user.get_id()}")
def create_token():
    values = form_data()
    try:
        data = load_token_form(values)
    except ValidationError as error:
        return _tokens_page(error.messages, values, status=422)
    token, secret = services.create_token(access.current_network(), current_user, data["name"], data["read_only"])
    return _tokens_page(secret=secret, created=token)


@bp.post("/tokens/<int:token_id>/revoke")
@coordinator_required
def revoke_token(token_id):
    token = db.session.scalar(select(NetworkToken).filter_by(id=token_id, user_id=current_user.id,
                                                             network_id=access.current_network().id))
    if token is None:
        abort(404)
    services.revoke_token(token)
    flash(_("The token is revoked: scripts using it are refused from now on."), "success")
    return redirect(url_for("network.tokens"))


from . import admin_views  # noqa: E402,F401 - its routes live on this blueprint
