"""Spouse welcome indicators, each aggregated by the database over one module and period (cases opened in it)."""
from sqlalchemy import func, select

from coopserv.plugin_api import (
    Indicator,
    IndicatorQuery,
    ServiceRequest,
    _l,
    hours_between,
    median,
)

from .models import Case, FollowUp, Introduction

SERVICE_KEY = "spouse_welcome"


def _cases(module, start, end):
    return (
        select().select_from(Case).join(ServiceRequest, ServiceRequest.id == Case.request_id)
        .where(ServiceRequest.module_id == module.id, ServiceRequest.created_at >= start,
               ServiceRequest.created_at < end)
    )


def cases_opened_query(module, start, end):
    """Cases opened in the period, as one SELECT of one row."""
    return IndicatorQuery(_cases(module, start, end).add_columns(func.count(Case.id)))


def cases_opened(module, start, end):
    return cases_opened_query(module, start, end).value()


def median_days_to_first_introduction(module, start, end):
    first = (select(Introduction.case_id, func.min(Introduction.sent_at).label("first_at"))
             .group_by(Introduction.case_id).subquery())
    query = _cases(module, start, end).join(first, first.c.case_id == Case.id)
    hours = median(hours_between(first.c.first_at, ServiceRequest.created_at), query)
    return None if hours is None else round(hours / 24, 1)


def partners_hired_query(module, start, end):
    """Cases opened in the period with an introduction that led to a hiring, as one SELECT of one row."""
    return IndicatorQuery(
        _cases(module, start, end).join(Introduction, Introduction.case_id == Case.id)
        .where(Introduction.outcome == "hired").add_columns(func.count(func.distinct(Case.id)))
    )


def partners_hired(module, start, end):
    return partners_hired_query(module, start, end).value()


def families_still_here_query(module, start, end):
    """Cases opened in the period whose follow-up finds the family still here, as one SELECT of one row."""
    return IndicatorQuery(
        _cases(module, start, end).join(FollowUp, FollowUp.case_id == Case.id)
        .where(FollowUp.still_in_territory.is_(True)).add_columns(func.count(Case.id))
    )


def families_still_here(module, start, end):
    return families_still_here_query(module, start, end).value()


INDICATORS = [
    Indicator("spouse_welcome.cases_opened", _l("Spouse welcome cases opened"), _l("families"), SERVICE_KEY,
              cases_opened, _l("Families whose case was opened in the period."), query=cases_opened_query),
    Indicator("spouse_welcome.median_days_to_first_introduction", _l("Median time to a first job introduction"),
              _l("days"), SERVICE_KEY, median_days_to_first_introduction,
              _l("From the opening of the case to the first introduction to a company, for cases opened in the "
                 "period.")),
    Indicator("spouse_welcome.partners_hired", _l("Partners who found work locally"), _l("people"), SERVICE_KEY,
              partners_hired, _l("Cases opened in the period with an introduction that led to a hiring."),
              query=partners_hired_query),
    Indicator("spouse_welcome.families_still_here", _l("Families still here after a year"), _l("families"),
              SERVICE_KEY, families_still_here,
              _l("Cases opened in the period whose one-year follow-up says the family still lives in the "
                 "territory."), query=families_still_here_query),
]
