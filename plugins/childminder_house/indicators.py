"""Childminder house indicators, each aggregated by the database over one module and period."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from coopserv.plugin_api import (
    Indicator,
    IndicatorQuery,
    ServiceRequest,
    _l,
    hours_between,
    median,
    utcnow,
)

from .models import Childminder, House, Placement, PlacementSlot, Sponsorship

SERVICE_KEY = "childminder_house"


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
               (Placement.end_date.is_(None)) | (Placement.end_date >= day))
    ).scalar_subquery()
    offered = (
        select(func.coalesce(func.sum(Childminder.max_children * (Childminder.ends_at - Childminder.starts_at)
                                      * func.length(Childminder.days)), 0))
        .join(House, House.id == Childminder.house_id).where(House.active.is_(True))
    ).scalar_subquery()
    return IndicatorQuery(select(booked.label("booked"), offered.label("offered")), _occupancy_rate)


def _occupancy_rate(row):
    booked, offered = row
    if not offered:
        return None
    return round(100.0 * booked / offered, 1)


def occupancy_rate(module, start, end):
    """Weekly hours booked by children present at the end of the period, over the childminders' weekly capacity (%)."""
    return occupancy_rate_query(module, start, end).value()


def median_waiting_days(module, start, end):
    """Days from the request to the allocated place, for places allocated in the period."""
    query = (select().select_from(Placement).join(ServiceRequest, ServiceRequest.id == Placement.request_id)
             .where(ServiceRequest.module_id == module.id, Placement.allocated_at >= start,
                    Placement.allocated_at < end))
    hours = median(hours_between(Placement.allocated_at, Placement.requested_at), query)
    return None if hours is None else round(hours / 24, 1)


def places_per_sponsor_query(module, start, end):
    """Places funded and sponsoring companies, as one SELECT of one row."""
    return IndicatorQuery(select(func.coalesce(func.sum(Sponsorship.places), 0),
                                 func.count(func.distinct(Sponsorship.organization_id))), _places_per_sponsor)


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
                                                   "in the period.")),
    Indicator("childminder_house.places_per_sponsor", _l("Places per sponsoring company"), _l("places"), SERVICE_KEY,
              places_per_sponsor, _l("Childcare places funded, per company sponsoring the house."),
              query=places_per_sponsor_query),
]
