"""The one place that writes committee indicators and their figures, and how each is measured.

Committee indicators join the shared indicator registry (``plugin_host().indicators``)
through the ``territory_indicators`` hook: the dashboard, exports, comparison,
open data, project targets and evaluation reports read them exactly as they read
the indicators plugins declare.
"""
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext
from marshmallow import ValidationError
from sqlalchemy import func, literal, select

from coopserv.accounts.models import ACTIVE, Membership
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.indicators.services import current_month
from coopserv.service_types import Indicator, IndicatorQuery
from coopserv.tenancy import current_territory_id, request_cache
from coopserv.timeutil import utcnow

from . import sources
from .models import COUNT, KEY_PREFIX, LAST, MANUAL, CommitteeIndicator, IndicatorFigure


class NotAllowed(Exception):
    """The person may not enter this indicator's figures (the view answers 403)."""


def _error(field, message):
    return ValidationError({field: [message]})


# -- reading -------------------------------------------------------------------------------------
def list_definitions():
    return list(db.session.scalars(select(CommitteeIndicator).order_by(CommitteeIndicator.name)))


def get_definition(indicator_id):
    return db.session.scalar(select(CommitteeIndicator).filter_by(id=indicator_id)) if indicator_id else None


def figures_of(definition, limit=36):
    """The latest monthly figures of a manual indicator, newest first."""
    return list(db.session.scalars(select(IndicatorFigure).filter_by(indicator_id=definition.id)
                                   .order_by(IndicatorFigure.month.desc()).limit(limit)))


def may_enter_figures(definition, user, is_admin):
    """The named reporter enters the figures; territory admins may correct them."""
    return definition.method == MANUAL and (is_admin or (user is not None and definition.reporter_id == user.id))


# -- writing -------------------------------------------------------------------------------------
def _slug(text):
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60] or "indicator"


def _new_key(name):
    """A registry key from the name, unique in the territory (the same name in two territories compares them)."""
    base = KEY_PREFIX + _slug(name)
    taken = set(db.session.scalars(select(CommitteeIndicator.key).where(CommitteeIndicator.key.startswith(base))))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def _check_measure(data):
    """A manual indicator names its reporter among the territory's members; a count names a source and filters."""
    if data["method"] == MANUAL:
        reporter = db.session.scalar(select(Membership).filter_by(user_id=data.get("reporter_id"), status=ACTIVE)
                                     .limit(1)) if data.get("reporter_id") else None
        if reporter is None:
            raise _error("reporter_id", lazy_gettext("Choose who enters the figure each month."))
        return
    source = sources.SOURCES.get(data.get("source"))
    if source is None:
        raise _error("source", lazy_gettext("Choose what to count."))
    for name, value in (data.get("filters") or {}).items():
        allowed = source.filters.get(name)
        if allowed is None or value not in {str(key) for key, _label in allowed.choices()}:
            raise _error(f"filter_{name}", lazy_gettext("Choose one of the proposed values."))


def create_definition(data, actor=None):
    """Define a new indicator for the territory."""
    _check_measure(data)
    definition = CommitteeIndicator(key=_new_key(data["name"]))
    _apply(definition, data)
    db.session.add(definition)
    db.session.flush()
    record("committee_indicators.created", definition.key, actor=actor, name=definition.name)
    db.session.commit()
    return definition


def update_definition(definition, data, actor=None):
    """Change a definition; a new way of counting makes its recorded monthly values be computed again."""
    _check_measure(data)
    measured_before = (definition.method, definition.source, dict(definition.filters or {}), definition.aggregation)
    _apply(definition, data)
    if measured_before != (definition.method, definition.source, dict(definition.filters or {}),
                           definition.aggregation):
        from coopserv.indicators.services import drop_snapshots

        drop_snapshots(definition.key)
    record("committee_indicators.updated", definition.key, actor=actor, name=definition.name)
    db.session.commit()
    return definition


def _apply(definition, data):
    definition.name, definition.unit = data["name"], data["unit"]
    definition.description = data.get("description", "")
    definition.method = data["method"]
    definition.aggregation = data.get("aggregation") or definition.aggregation or "sum"
    definition.reporter_id = data.get("reporter_id") if data["method"] == MANUAL else None
    definition.source = data.get("source") if data["method"] == COUNT else None
    definition.filters = dict(data.get("filters") or {}) if data["method"] == COUNT else {}
    definition.target_value = data.get("target_value")
    definition.per_employees = bool(data.get("per_employees", False))
    definition.active = data.get("active", True)


def enter_figure(definition, data, actor, is_admin=False):
    """Record (or correct) the figure of one month; only the named reporter and territory admins may."""
    if not may_enter_figures(definition, actor, is_admin):
        raise NotAllowed()
    month = data["month"].replace(day=1)
    if month > current_month():
        raise _error("month", lazy_gettext("A month still to come has no figure yet."))
    figure = db.session.scalar(select(IndicatorFigure).filter_by(indicator_id=definition.id, month=month))
    if figure is None:
        figure = IndicatorFigure(indicator_id=definition.id, month=month)
        db.session.add(figure)
    figure.value, figure.note = data["value"], data.get("note", "")
    figure.entered_by_id, figure.entered_at = actor.id if actor else None, utcnow()
    from coopserv.indicators.services import drop_snapshots

    drop_snapshots(definition.key, [month])  # a late or corrected figure replaces the month's snapshot
    record("committee_indicators.figure", definition.key, actor=actor, month=month.isoformat(), value=data["value"])
    db.session.commit()
    return figure


# -- measuring -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """How one territory measures an indicator, read once per request (no row kept across sessions)."""

    id: int
    method: str
    aggregation: str
    source: str | None
    filters: dict


def _measure_of(definition):
    return Measure(definition.id, definition.method, definition.aggregation, definition.source,
                   dict(definition.filters or {}))


def measure_query(spec, start, end, territory_id):
    """The indicator's value over [start, end) as a one-row SELECT naming ``territory_id`` (``IndicatorQuery``).

    A count of data, or the month figures added up or the latest; read beside
    other figures (a project's targets, a network's territories) in one statement.
    """
    if spec is None or (spec.method == COUNT and spec.source not in sources.SOURCES):
        return IndicatorQuery(select(literal(0).label("nothing")), _nothing, names_territory=True)
    if spec.method == COUNT:
        return IndicatorQuery(sources.count_select(sources.SOURCES[spec.source], spec.filters, start, end,
                                                   territory_id), lambda row: row[0] or 0, names_territory=True)
    first = start.date().replace(day=1) if hasattr(start, "date") else start.replace(day=1)
    last = end.date() if hasattr(end, "date") else end
    months = (IndicatorFigure.indicator_id == spec.id, IndicatorFigure.territory_id == territory_id,
              IndicatorFigure.month >= first, IndicatorFigure.month < last)
    if spec.aggregation == LAST:
        latest = select(IndicatorFigure.value).where(*months).order_by(IndicatorFigure.month.desc()).limit(1)
        return IndicatorQuery(select(latest.scalar_subquery().label("latest")), names_territory=True)
    return IndicatorQuery(select(func.sum(IndicatorFigure.value), func.count(IndicatorFigure.id)).where(*months),
                          _sum_of_figures, names_territory=True)


def _nothing(row):
    return None


def _sum_of_figures(row):
    total, figures = row
    return float(total) if figures else None


def measure(spec, start, end):
    """The indicator's value over [start, end) in the territory in scope (its ``measure_query`` run alone)."""
    return measure_query(spec, start, end, current_territory_id()).value()


def _measures_here():
    """The current territory's measures by key, loaded once per request."""
    cache = request_cache()
    territory_id = current_territory_id()
    slot = cache.setdefault("committee_measures", {}) if cache is not None else {}
    if territory_id not in slot:
        slot[territory_id] = {d.key: _measure_of(d) for d in db.session.scalars(
            select(CommitteeIndicator).filter_by(active=True))}
    return slot[territory_id]


def _computer(key):
    """Compute the indicator ``key`` in whichever territory is in scope (comparisons visit several)."""
    def compute(module, start, end):
        return measure(_measures_here().get(key), start, end)

    return compute


def _query(key):
    """The indicator ``key`` as a SELECT of the territory in scope, which the core reads beside other figures."""
    def query(module, start, end):
        territory_id = current_territory_id()
        return measure_query(_measure_for(key, territory_id), start, end, territory_id)

    return query


def _measure_for(key, territory_id):
    """The territory's measure of ``key``: from its definitions if this request read them, else by key."""
    cache = request_cache()
    read = (cache or {}).get("committee_measures", {}).get(territory_id)
    return read.get(key) if read is not None else _measures_of_key(key).get(territory_id)


def _measures_of_key(key):
    """{territory id: measure} of the active indicators named ``key`` in every territory, once per request.

    A comparison measures one key in many territories: one statement for all
    of them rather than one per territory.
    """
    from coopserv.tenancy import ALL_TERRITORIES

    cache = request_cache()
    slot = cache.setdefault("committee_measures_by_key", {}) if cache is not None else {}
    if key not in slot:
        slot[key] = {d.territory_id: _measure_of(d) for d in db.session.scalars(
            select(CommitteeIndicator).where(CommitteeIndicator.key == key, CommitteeIndicator.active.is_(True))
            .execution_options(**{ALL_TERRITORIES: True}))}
    return slot[key]


def registry_indicators():
    """The current territory's active indicators as registry ``Indicator`` objects (one query per request)."""
    from flask_babel import lazy_gettext as translated

    definitions = list(db.session.scalars(select(CommitteeIndicator).filter_by(active=True)
                                          .order_by(CommitteeIndicator.name)))
    cache = request_cache()
    if cache is not None:
        cache.setdefault("committee_measures", {})[current_territory_id()] = {d.key: _measure_of(d)
                                                                             for d in definitions}
    indicators = []
    for definition in definitions:
        description = definition.description or str(translated("Defined by the steering committee."))
        indicators.append(Indicator(definition.key, definition.name, definition.unit, None, _computer(definition.key),
                                    description, per_employees=definition.per_employees,
                                    query=_query(definition.key)))
    return indicators


def targets():
    """The targets the committee set, by registry key."""
    return {key: value for key, value in db.session.execute(
        select(CommitteeIndicator.key, CommitteeIndicator.target_value)
        .where(CommitteeIndicator.active.is_(True), CommitteeIndicator.target_value.is_not(None)))}


def reporters():
    """Members of the territory who can be named to enter figures."""
    from coopserv.accounts.models import User

    ids = set(db.session.scalars(select(Membership.user_id).filter_by(status=ACTIVE)))
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name))) if ids else []


