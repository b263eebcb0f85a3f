"""Which rollups exist and the one SQL statement that says what each request contributes to them.

The same statement fills the facts of a whole territory (rebuild) and of the
few requests a transaction changed (incremental update): both paths agree by
construction.
"""
import hashlib
from dataclasses import dataclass

from sqlalchemy import Float, cast, literal, select, union_all

from coopserv.extensions import db
from coopserv.modules.models import ServiceModule
from coopserv.plugin_host import plugin_host
from coopserv.service_requests.models import ServiceRequest
from coopserv.service_types import COUNT, DISTINCT_REQUESTERS, PERCENTILE, RequestMeasure
from coopserv.sqlcompat import month_of
from coopserv.tenancy import ALL_TERRITORIES

#: The core's own rollup: requests by module, organization, month and status (quotas, queue counts).
REQUESTS = "requests"


@dataclass(frozen=True)
class Measure:
    """A rollup: its key, the service whose requests it aggregates (None: all), and how."""

    key: str
    service_key: str | None
    declaration: RequestMeasure
    by_status: bool = False

    @property
    def additive(self):
        """Totals kept by increments; the others are recomputed from the cell's facts."""
        return self.declaration.aggregate not in (DISTINCT_REQUESTERS, PERCENTILE)


def measures():
    """The core's request counts, then every indicator declaring ``rollup=RequestMeasure(...)``."""
    host = plugin_host()
    found = host.__dict__.get("_rollup_measures")
    if found is None:
        found = [Measure(REQUESTS, None, RequestMeasure(COUNT, by_organization=True), by_status=True)]
        found += [Measure(indicator.key, indicator.service_key, indicator.rollup)
                  for indicator in host.indicators.values() if indicator.rollup is not None]
        host._rollup_measures = found
    return found


def measure_for(key):
    return next((measure for measure in measures() if measure.key == key), None)


def fact_select(measure, request_ids=None, territory_id=None, module_id=None, created_between=None):
    """The facts of ``measure``: one row per request that counts, with the columns of ``request_fact``.

    ``created_between`` (start, end) keeps requests created in [start, end): the live computation.
    """
    declaration = measure.declaration
    value = cast(declaration.value(), Float) if declaration.value is not None else literal(1.0, Float)
    inner = select(
        ServiceRequest.territory_id.label("territory_id"),
        literal(measure.key).label("rollup_key"),
        ServiceRequest.id.label("request_id"),
        ServiceRequest.module_id.label("module_id"),
        ServiceRequest.organization_id.label("organization_id"),
        month_of(ServiceRequest.created_at).label("month"),
        ServiceRequest.status.label("status"),
        ServiceRequest.requester_id.label("requester_id"),
        value.label("value"),
    )
    if measure.service_key is not None:
        inner = inner.join(ServiceModule, ServiceModule.id == ServiceRequest.module_id) \
            .where(ServiceModule.service_key == measure.service_key)
    if declaration.statuses is not None:
        inner = inner.where(ServiceRequest.status.in_(declaration.statuses))
    if declaration.aggregate == DISTINCT_REQUESTERS:
        inner = inner.where(ServiceRequest.requester_id.is_not(None))
    if request_ids is not None:
        inner = inner.where(ServiceRequest.id.in_(request_ids))
    if territory_id is not None:
        inner = inner.where(ServiceRequest.territory_id == territory_id)
    if module_id is not None:
        inner = inner.where(ServiceRequest.module_id == module_id)
    if created_between is not None:
        inner = inner.where(ServiceRequest.created_at >= created_between[0],
                            ServiceRequest.created_at < created_between[1])
    facts = inner.subquery()
    query = select(*facts.c)
    if declaration.value is not None:
        query = query.where(facts.c.value.is_not(None))
    return query.execution_options(**{ALL_TERRITORIES: True})


def facts_of_requests(request_ids):
    """Every fact the given requests contribute now, to every rollup: one statement."""
    selects = [fact_select(measure, request_ids=request_ids) for measure in measures()]
    return union_all(*selects).subquery()


def fingerprint(measure):
    """A digest of what the rollup computes: it changes when its definition does."""
    compiled = fact_select(measure).compile(db.session.get_bind())
    declaration = measure.declaration
    text = "|".join([str(compiled), declaration.aggregate, repr(declaration.percentile), repr(declaration.statuses),
                     repr(declaration.by_organization), repr(measure.by_status)])
    return hashlib.sha256(text.encode()).hexdigest()


def cell_value(measure, count, total, value):
    """The figure a stored cell stands for (None for an empty average or percentile)."""
    aggregate = measure.declaration.aggregate
    if aggregate == COUNT:
        figure = count or 0
    elif aggregate == DISTINCT_REQUESTERS:
        figure = value or 0
    elif aggregate == "sum":
        figure = total or 0.0
    elif aggregate == "average":
        figure = total / count if count else None
    else:
        figure = value if count else None
    return scaled(measure, figure)


def scaled(measure, figure):
    if figure is None:
        return None
    declaration = measure.declaration
    figure = figure * declaration.scale
    if declaration.digits is not None:
        return round(figure, declaration.digits)
    if declaration.aggregate in (COUNT, DISTINCT_REQUESTERS) and declaration.scale == 1:
        return int(round(figure))
    return figure


def empty_value(measure):
    """What a month without any fact shows: zero for counts and sums, nothing for averages and percentiles."""
    return cell_value(measure, 0, 0.0, None)
