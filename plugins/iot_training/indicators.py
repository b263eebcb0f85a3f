"""IoT training indicators, each aggregated by the database over one module and period.

A session belongs to the period in which its first day falls (fill rate, companies) or its
last day falls (completion); answers to the survey count when they were given.
"""
from sqlalchemy import and_, case, func, literal, select, union

from coopserv.plugin_api import Indicator, IndicatorQuery, ServiceRequest, _l

from .models import (
    CANCELLED,
    Attendance,
    Enrolment,
    SessionDay,
    SkillNeed,
    SurveyAnswer,
    TrainingSession,
)

SERVICE_KEY = "iot_training"
SEATED = ("enrolled", "completed", "not_completed")


def _here(module, *models):
    """Each model's rows of the module's territory: the SELECT names its territory itself."""
    return and_(*(model.territory_id == module.territory_id for model in models))


def _sessions(module, start, end, column):
    return ((TrainingSession.status != CANCELLED) & (column >= start.date()) & (column < end.date())
            & _here(module, TrainingSession))


def _seated(module):
    return ((ServiceRequest.module_id == module.id) & ServiceRequest.status.in_(SEATED)
            & _here(module, ServiceRequest, Enrolment))


def fill_rate_query(module, start, end):
    """Seats taken and seats offered, for the sessions starting in the period, as one SELECT of one row."""
    capacity = (select(func.sum(TrainingSession.capacity)).where(_sessions(module, start, end, TrainingSession.first_day))
                .scalar_subquery())
    seated = (select(func.count(Enrolment.id)).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
              .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
              .where(_seated(module), _sessions(module, start, end, TrainingSession.first_day)).scalar_subquery())
    return IndicatorQuery(select(capacity.label("capacity"), seated.label("seated")), _fill_rate,
                          names_territory=True)


def _fill_rate(row):
    capacity, seated = row
    if not capacity:
        return None
    return round(100 * seated / capacity, 1)


def fill_rate(module, start, end):
    """Seats taken over seats offered, in %, for the sessions starting in the period."""
    return fill_rate_query(module, start, end).value()


def completion_rate_query(module, start, end):
    """Participants and those who completed, for the sessions ending in the period, as one SELECT of one row."""
    from .services import module_config

    threshold = module_config(module)["completion_threshold"]
    attended = (select(Attendance.enrolment_id, func.count(Attendance.id).label("n"))
                .where(_here(module, Attendance)).group_by(Attendance.enrolment_id).subquery())
    days = (select(SessionDay.session_id, func.count(SessionDay.id).label("d")).where(_here(module, SessionDay))
            .group_by(SessionDay.session_id).subquery())
    eligible = func.coalesce(attended.c.n, 0) * 100 >= literal(threshold) * days.c.d
    query = (select(func.count(Enrolment.id), func.coalesce(func.sum(case((eligible, 1), else_=0)), 0))
             .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
             .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
             .join(days, days.c.session_id == TrainingSession.id)
             .outerjoin(attended, attended.c.enrolment_id == Enrolment.id)
             .where(_seated(module), _sessions(module, start, end, TrainingSession.last_day)))
    return IndicatorQuery(query, _completion_rate, names_territory=True)


def _completion_rate(row):
    total, completed = row
    if not total:
        return None
    return round(100 * completed / total, 1)


def completion_rate(module, start, end):
    """Participants who attended enough days for a certificate, in %, for sessions ending in the period."""
    return completion_rate_query(module, start, end).value()


def companies_involved_query(module, start, end):
    """Companies seated in the period's sessions or declaring a need in it, as one SELECT of one row."""
    seated = (select(Enrolment.organization_id.label("organization_id"))
              .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
              .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
              .where(_seated(module), _sessions(module, start, end, TrainingSession.first_day),
                     Enrolment.organization_id.is_not(None)))
    declared = (select(SkillNeed.organization_id.label("organization_id"))
                .where(SkillNeed.created_at >= start, SkillNeed.created_at < end, _here(module, SkillNeed)))
    both = union(seated, declared).subquery()
    return IndicatorQuery(select(func.count()).select_from(both), names_territory=True)


def companies_involved(module, start, end):
    """Companies with an employee seated in a session starting in the period, or a need declared in it."""
    return companies_involved_query(module, start, end).value()


def satisfaction_query(module, start, end):
    """The average survey score of the period's answers, as one SELECT of one row."""
    average = (select(func.avg(SurveyAnswer.score)).join(Enrolment, Enrolment.id == SurveyAnswer.enrolment_id)
               .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
               .where(ServiceRequest.module_id == module.id, SurveyAnswer.answered_at >= start,
                      SurveyAnswer.answered_at < end, _here(module, SurveyAnswer, Enrolment, ServiceRequest)))
    return IndicatorQuery(average, lambda row: round(float(row[0]), 2) if row[0] is not None else None,
                          names_territory=True)


def satisfaction(module, start, end):
    """Average survey score (1 to 5) of the answers given in the period."""
    return satisfaction_query(module, start, end).value()


INDICATORS = [
    Indicator("iot_training.fill_rate", _l("Training fill rate"), "%", SERVICE_KEY, fill_rate,
              _l("Seats taken over seats offered, for sessions starting in the period (cancelled ones left out)."),
              query=fill_rate_query),
    Indicator("iot_training.completion_rate", _l("Training completion rate"), "%", SERVICE_KEY, completion_rate,
              _l("Participants who attended enough days for a certificate, for sessions ending in the period."),
              query=completion_rate_query),
    Indicator("iot_training.companies_involved", _l("Companies involved in training"), _l("companies"), SERVICE_KEY,
              companies_involved,
              _l("Companies with employees trained in the period's sessions or that declared a skills need."),
              query=companies_involved_query),
    Indicator("iot_training.satisfaction", _l("Training satisfaction"), "/ 5", SERVICE_KEY, satisfaction,
              _l("Average score of the satisfaction survey answers given in the period."), query=satisfaction_query),
]
