"""The core's own shared indicators: how the method itself is doing (needs, supports, committee, decisions)."""
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.service_types import Indicator, IndicatorQuery
from coopserv.tenancy import current_territory_id


def _count(column, moment, start, end):
    return db.session.scalar(select(func.count(column)).where(moment >= start, moment < end)) or 0


def _count_query(model, moment, start, end):
    """The count as a SELECT naming the territory in scope, read beside other figures (and territories)."""
    query = select(func.count(model.id)).where(model.territory_id == current_territory_id(), moment >= start,
                                               moment < end)
    return IndicatorQuery(query, lambda row: row[0] or 0, names_territory=True)


def needs_expressed_query(module, start, end):
    from coopserv.needs.models import Need

    return _count_query(Need, Need.created_at, start, end)


def needs_supports_query(module, start, end):
    from coopserv.needs.models import NeedSupport

    return _count_query(NeedSupport, NeedSupport.created_at, start, end)


def committee_meetings_query(module, start, end):
    from coopserv.governance.models import Meeting

    return _count_query(Meeting, Meeting.starts_at, start, end)


def decisions_taken_query(module, start, end):
    from coopserv.projects.models import ProjectDecision

    return _count_query(ProjectDecision, ProjectDecision.decided_on, start.date(), end.date())


def needs_expressed(module, start, end):
    from coopserv.needs.models import Need

    return _count(Need.id, Need.created_at, start, end)


def needs_supports(module, start, end):
    from coopserv.needs.models import NeedSupport

    return _count(NeedSupport.id, NeedSupport.created_at, start, end)


def committee_meetings(module, start, end):
    from coopserv.governance.models import Meeting

    return _count(Meeting.id, Meeting.starts_at, start, end)


def decisions_taken(module, start, end):
    from coopserv.projects.models import ProjectDecision

    return _count(ProjectDecision.id, ProjectDecision.decided_on, start.date(), end.date())


CORE_INDICATORS = [
    Indicator("needs.expressed", _l("Needs expressed"), _l("needs"), None, needs_expressed,
              _l("Needs submitted by employees and companies in the period."), per_employees=True,
              query=needs_expressed_query),
    Indicator("needs.supports", _l("Needs supported"), _l("supports"), None, needs_supports,
              _l("Times someone said “we have it too” in the period."), per_employees=True,
              query=needs_supports_query),
    Indicator("governance.meetings", _l("Steering committee meetings"), _l("meetings"), None, committee_meetings,
              _l("Meetings of the steering committee held in the period."), query=committee_meetings_query),
    Indicator("projects.decisions", _l("Committee decisions on services"), _l("decisions"), None, decisions_taken,
              _l("Perennial, iterate or stop decisions recorded in the period."), query=decisions_taken_query),
]
