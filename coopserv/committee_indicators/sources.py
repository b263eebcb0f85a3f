"""What a committee indicator can count: data the platform already holds, each with the filters it offers.

A source counts rows of one table dated in a period (one query, in the
database); a filter narrows it to one value of a column (a need's category, a
request's service or status…). The values a filter accepts are listed per
territory, so a definition is validated against what exists.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.i18n import _l


@dataclass(frozen=True)
class Filter:
    """One way to narrow a source: its label, the values allowed here, and how it changes the query."""

    label: str
    choices: Callable[[], list]
    apply: Callable[[Any, str], Any]


@dataclass(frozen=True)
class Source:
    """Rows a committee indicator counts: the column counted, the date that places a row in a month, filters."""

    key: str
    label: str
    counted: Callable[[], Any]
    dated: Callable[[], Any]
    filters: dict = field(default_factory=dict)


def _as_moment(column, value):
    """Compare date columns with dates and timestamp columns with datetimes."""
    return value.date() if isinstance(value, datetime) and _is_date(column) else value


def _is_date(column):
    return getattr(column.type, "python_type", None) is date


def count_select(source, filters, start, end, territory_id):
    """The count of ``source``'s rows in [start, end) matching ``filters``, as a one-row SELECT not yet run.

    It names ``territory_id`` on every table it reads (the filters' too), so
    that figures of several territories may share one statement.
    """
    counted, column = source.counted(), source.dated()
    query = select(func.count(counted)).where(column >= _as_moment(column, start), column < _as_moment(column, end),
                                              counted.class_.territory_id == territory_id)
    for name, value in (filters or {}).items():
        if name in source.filters:
            query = source.filters[name].apply(query, value)
    return query


def count(source, filters, start, end):
    """How many rows of ``source`` fall in [start, end) and match ``filters`` (one query)."""
    from coopserv.tenancy import current_territory_id

    return db.session.scalar(count_select(source, filters, start, end, current_territory_id())) or 0


# -- the sources -----------------------------------------------------------------------------------
def _need_models():
    from coopserv.needs import models

    return models


def _category_choices():
    models = _need_models()
    return [(key, label) for key, label in db.session.execute(
        select(models.NeedCategory.key, models.NeedCategory.label).order_by(models.NeedCategory.position))]


def _by_category(query, value):
    models = _need_models()
    return query.join(models.NeedCategory, models.NeedCategory.id == models.Need.category_id).where(
        models.NeedCategory.key == value, models.NeedCategory.territory_id == models.Need.territory_id)


def _need_status_choices():
    return list(_need_models().STATUSES.items())


def _service_choices():
    from coopserv.modules.models import ServiceModule
    from coopserv.plugin_host import plugin_host

    kinds = plugin_host().service_types
    return [(key, kinds[key].label) for key in db.session.scalars(select(ServiceModule.service_key)
                                                                  .order_by(ServiceModule.service_key))
            if key in kinds]


def _request_status_choices():
    from coopserv.plugin_host import plugin_host

    labels = {}
    for key, _label in _service_choices():
        labels.update(plugin_host().service_types[key].states)
    return sorted(labels.items())


def _requests():
    from coopserv.service_requests.models import ServiceRequest

    return ServiceRequest


def _by_service(query, value):
    from coopserv.modules.models import ServiceModule

    requests = _requests()
    return query.where(requests.module_id.in_(select(ServiceModule.id).where(
        ServiceModule.service_key == value, ServiceModule.territory_id == requests.territory_id)))


def _decisions():
    from coopserv.projects.models import ProjectDecision

    return ProjectDecision


def _outcome_choices():
    from coopserv.projects.models import OUTCOMES

    return list(OUTCOMES.items())


def _governance():
    from coopserv.governance import models

    return models


def _event_kind_choices():
    return list(_governance().EVENT_KINDS.items())


def _by_event_kind(query, value):
    models = _governance()
    return query.where(models.EventRegistration.event_id.in_(
        select(models.GovernanceEvent.id).where(models.GovernanceEvent.kind == value,
                                                models.GovernanceEvent.territory_id
                                                == models.EventRegistration.territory_id)))


SOURCES = {source.key: source for source in (
    Source("needs", _l("Needs expressed"), lambda: _need_models().Need.id, lambda: _need_models().Need.created_at,
           {"category": Filter(_l("Category"), _category_choices, _by_category),
            "status": Filter(_l("Status"), _need_status_choices,
                             lambda query, value: query.where(_need_models().Need.status == value))}),
    Source("need_supports", _l("Supports of needs (“we have it too”)"), lambda: _need_models().NeedSupport.id,
           lambda: _need_models().NeedSupport.created_at),
    Source("service_requests", _l("Service requests"), lambda: _requests().id, lambda: _requests().created_at,
           {"service": Filter(_l("Service"), _service_choices, _by_service),
            "status": Filter(_l("Status"), _request_status_choices,
                             lambda query, value: query.where(_requests().status == value))}),
    Source("project_decisions", _l("Committee decisions on services"), lambda: _decisions().id,
           lambda: _decisions().decided_on,
           {"outcome": Filter(_l("Decision"), _outcome_choices,
                              lambda query, value: query.where(_decisions().outcome == value))}),
    Source("committee_meetings", _l("Steering committee meetings"), lambda: _governance().Meeting.id,
           lambda: _governance().Meeting.starts_at),
    Source("event_registrations", _l("Registrations to events"), lambda: _governance().EventRegistration.id,
           lambda: _governance().EventRegistration.registered_at,
           {"event_kind": Filter(_l("Kind of event"), _event_kind_choices, _by_event_kind)}),
    Source("charter_signatures", _l("Signatures of the charter"), lambda: _governance().CharterSignature.id,
           lambda: _governance().CharterSignature.signed_on),
)}
