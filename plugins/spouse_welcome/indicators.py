"""Spouse welcome indicators, each aggregated by the database over one module and period (cases opened in it).

Each is one SELECT of one row (``IndicatorQuery``) naming the module's territory
on every table it reads, so that a network comparison reads every territory's
figure in one statement; ``compute`` runs the same SELECT alone.
"""
from sqlalchemy import func, select

from coopserv.plugin_api import (
    Indicator,
    IndicatorQuery,
    ServiceRequest,
    _l,
    hours_between,
    median_select,
    rounded_median,
)

from .models import Case, FollowUp, Introduction

SERVICE_KEY = "spouse_welcome"


def _here(module, *models):
    """Each model's rows of the module's territory: the SELECT names its territory itself."""
    return [model.territory_id == module.territory_id for model in models]


def _cases(module, start, end):
    return (
        select().select_from(Case).join(ServiceRequest, ServiceRequest.id == Case.request_id)
        .where(ServiceRequest.module_id == module.id, ServiceRequest.created_at >= start,
               ServiceRequest.created_at < end, *_here(module, Case, ServiceRequest))
    )


def _query(select_, finish=None):
    return IndicatorQuery(select_, finish, names_territory=True)


def cases_opened_query(module, start, end):
    """Cases opened in the period, as one SELECT of one row."""
    return _query(_cases(module, start, end).add_columns(func.count(Case.id)))


def cases_opened(module, start, end):
    return cases_opened_query(module, start, end).value()


def median_days_to_first_introduction_query(module, start, end):
    """The median days from a case's opening to its first introduction, as one SELECT of one row."""
    first = (select(Introduction.case_id, func.min(Introduction.sent_at).label("first_at"))
             .where(*_here(module, Introduction)).group_by(Introduction.case_id).subquery())
    query = _cases(module, start, end).join(first, first.c.case_id == Case.id)
    return _query(median_select(hours_between(first.c.first_at, ServiceRequest.created_at), query), _days)


def _days(row):
    hours = rounded_median(row[0])
    return None if hours is None else round(hours / 24, 1)


def median_days_to_first_introduction(module, start, end):
    return median_days_to_first_introduction_query(module, start, end).value()


def partners_hired_query(module, start, end):
    """Cases opened in the period with an introduction that led to a hiring, as one SELECT of one row."""
    return _query(
        _cases(module, start, end).join(Introduction, Introduction.case_id == Case.id)
        .where(Introduction.outcome == "hired", *_here(module, Introduction))
        .add_columns(func.count(func.distinct(Case.id)))
    )


def partners_hired(module, start, end):
    return partners_hired_query(module, start, end).value()


def families_still_here_query(module, start, end):
    """Cases opened in the period whose follow-up finds the family still here, as one SELECT of one row."""
    return _query(
        _cases(module, start, end).join(FollowUp, FollowUp.case_id == Case.id)
        .where(FollowUp.still_in_territory.is_(True), *_here(module, FollowUp)).add_columns(func.count(Case.id))
    )


def families_still_here(module, start, end):
    return families_still_here_query(module, start, end).value()


INDICATORS = [
    Indicator("spouse_welcome.cases_opened", _l("Spouse welcome cases opened"), _l("families"), SERVICE_KEY,
              cases_opened, _l("Families whose case was opened in the period."), query=cases_opened_query),
    Indicator("spouse_welcome.median_days_to_first_introduction", _l("Median time to a first job introduction"),
              _l("days"), SERVICE_KEY, median_days_to_first_introduction,
              _l("From the opening of the case to the first introduction to a company, for cases opened in the "
                 "period."), query=median_days_to_first_introduction_query),
    Indicator("spouse_welcome.partners_hired", _l("Partners who found work locally"), _l("people"), SERVICE_KEY,
              partners_hired, _l("Cases opened in the period with an introduction that led to a hiring."),
              query=partners_hired_query),
    Indicator("spouse_welcome.families_still_here", _l("Families still here after a year"), _l("families"),
              SERVICE_KEY, families_still_here,
              _l("Cases opened in the period whose one-year follow-up says the family still lives in the "
                 "territory."), query=families_still_here_query),
]
