"""Childminder house indicators, each aggregated by the database over one module and period.

Each is one SELECT of one row (``IndicatorQuery``) naming the module's territory
on every table it reads, so that a network comparison reads every territory's
figure in one statement; ``compute`` runs the same SELECT alone.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from coopserv.plugin_api import (
    Indicator,
    IndicatorQuery,
    ServiceRequest,
    _l,
    hours_between,
    median_select,
    rounded_median,
    utcnow,
)

from .models import Childminder, House, Placement, PlacementSlot, Sponsorship

SERVICE_KEY = "childminder_house"


def _here(module, *models):
    """Each model's rows of the module's territory: the SELECT names its territory itself."""
    return [model.territory_id == module.territory_id for model in models]


def _moment(end):
    """The instant the period is looked at: its end, or now if the period is not over."""
    end = end if isinstance(end, datetime) else datetime.combine(end, time())
    return min(end - timedelta(seconds=1), utcnow())


def occupancy_rate_query(module, start, end):
    """Hours booked at the end of the period and hours offered, as one SELECT of one row."""
    moment = _moment(end)
    day = moment.date()
    booked = (
        select(func.coalesce(func.sum(PlacementSlot.ends_at - PlacementSlot.starts_at), 0))
        .join(Placement, Placement.id == PlacementSlot.placement_id)
        .join(ServiceRequest, ServiceRequest.id == Placement.request_id)
        .where(ServiceRequest.module_id == module.id, Placement.allocated_at <= moment,
               (Placement.ended_at.is_(None)) | (Placement.ended_at > moment), Placement.start_date <= day,
               (Placement.end_date.is_(None)) | (Placement.end_date >= day),
               *_here(module, PlacementSlot, Placement, ServiceRequest))
    ).scalar_subquery()
    offered = (
        select(func.coalesce(func.sum(Childminder.max_children * (Childminder.ends_at - Childminder.starts_at)
                                      * func.length(Childminder.days)), 0))
        .join(House, House.id == Childminder.house_id).where(House.active.is_(True), *_here(module, Childminder, House))
    ).scalar_subquery()
    return IndicatorQuery(select(booked.label("booked"), offered.label("offered")), _occupancy_rate,
                          names_territory=True)


def _occupancy_rate(row):
    booked, offered = row
    if not offered:
        return None
    return round(100.0 * booked / offered, 1)


def occupancy_rate(module, start, end):
    """Weekly hours booked by children present at the end of the period, over the childminders' weekly capacity (%)."""
    return occupancy_rate_query(module, start, end).value()


def median_waiting_days_query(module, start, end):
    """Median days from the request to the allocated place, for places allocated in the period, as one SELECT."""
    query = (select().select_from(Placement).join(ServiceRequest, ServiceRequest.id == Placement.request_id)
             .where(ServiceRequest.module_id == module.id, Placement.allocated_at >= start,
                    Placement.allocated_at < end, *_here(module, Placement, ServiceRequest)))
    return IndicatorQuery(median_select(hours_between(Placement.allocated_at, Placement.requested_at), query), _days,
                          names_territory=True)


def _days(row):
    hours = rounded_median(row[0])
    return None if hours is None else round(hours / 24, 1)


def median_waiting_days(module, start, end):
    """Days from the request to the allocated place, for places allocated in the period."""
    return median_waiting_days_query(module, start, end).value()


def places_per_sponsor_query(module, start, end):
    """Places funded and sponsoring companies, as one SELECT of one row."""
    return IndicatorQuery(select(func.coalesce(func.sum(Sponsorship.places), 0),
                                 func.count(func.distinct(Sponsorship.organization_id)))
                          .where(*_here(module, Sponsorship)), _places_per_sponsor, names_territory=True)


def _places_per_sponsor(row):
    total, companies = row
    if not companies:
        return None
    return round(total / companies, 1)


def places_per_sponsor(module, start, end):
    """Places funded per sponsoring company (the breakdown is on the operator's house page)."""
    return places_per_sponsor_query(module, start, end).value()


INDICATORS = [
    Indicator("childminder_house.occupancy_rate", _l("Childminder house occupancy"), _l("percent"), SERVICE_KEY, occupancy_rate,
              _l("Weekly hours booked by the children present at the end of the period, over the hours the "
                 "childminders can take."), query=occupancy_rate_query),
    Indicator("childminder_house.median_waiting_days", _l("Median wait for a childcare place"), _l("days"),
              SERVICE_KEY, median_waiting_days, _l("From the request to the allocated place, for places allocated "
                                                   "in the period."), query=median_waiting_days_query),
    Indicator("childminder_house.places_per_sponsor", _l("Places per sponsoring company"), _l("places"), SERVICE_KEY,
              places_per_sponsor, _l("Childcare places funded, per company sponsoring the house."),
              query=places_per_sponsor_query),
]
