"""Coworking desks indicators, aggregated by the database."""
from sqlalchemy import func, select

from coopserv.plugin_api import Indicator, ServiceRequest, _l, db

from . import SERVICE_KEY


def bookings(module, start, end):
    return db.session.scalar(
        select(func.count(ServiceRequest.id)).where(
            ServiceRequest.module_id == module.id, ServiceRequest.created_at >= start, ServiceRequest.created_at < end)
    )


INDICATORS = [
    Indicator(f"{SERVICE_KEY}.bookings", _l("Bookings"), _l("bookings"), SERVICE_KEY, bookings,
              _l("Bookings made in the period."), per_employees=True),
]
