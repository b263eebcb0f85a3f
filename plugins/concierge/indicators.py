"""Concierge indicators, each aggregated by the database over one module and period."""
from sqlalchemy import func, select

from coopserv.plugin_api import (
    Indicator,
    ServiceRequest,
    StatusChange,
    _l,
    db,
    hours_between,
    median,
)

from .models import Order

SERVICE_KEY = "concierge"


def _requests(module, start, end):
    return select().select_from(ServiceRequest).where(
        ServiceRequest.module_id == module.id, ServiceRequest.created_at >= start, ServiceRequest.created_at < end
    )


def orders(module, start, end):
    return db.session.scalar(_requests(module, start, end).add_columns(func.count(ServiceRequest.id)))


def active_users(module, start, end):
    return db.session.scalar(
        _requests(module, start, end).add_columns(func.count(func.distinct(ServiceRequest.requester_id)))
    )


def provider_turnover(module, start, end):
    cents = db.session.scalar(
        _requests(module, start, end)
        .join(Order, Order.request_id == ServiceRequest.id)
        .where(ServiceRequest.status == "delivered")
        .add_columns(func.coalesce(func.sum(Order.total_cents), 0))
    )
    return round((cents or 0) / 100, 2)


def median_hours_to_ready(module, start, end):
    query = _requests(module, start, end).join(
        StatusChange, (StatusChange.request_id == ServiceRequest.id) & (StatusChange.to_status == "ready")
    )
    return median(hours_between(StatusChange.at, ServiceRequest.created_at), query)


INDICATORS = [
    Indicator("concierge.orders", _l("Concierge orders"), _l("orders"), SERVICE_KEY, orders,
              _l("Orders placed in the period."), per_employees=True),
    Indicator("concierge.active_users", _l("Active concierge users"), _l("people"), SERVICE_KEY, active_users,
              _l("People who placed at least one order in the period."), per_employees=True),
    Indicator("concierge.provider_turnover", _l("Turnover for local providers"), "€", SERVICE_KEY, provider_turnover,
              _l("Value of the orders delivered, placed in the period.")),
    Indicator("concierge.median_hours_to_ready", _l("Median time to ready"), _l("hours"), SERVICE_KEY,
              median_hours_to_ready, _l("From the order to “ready”, for orders placed in the period.")),
]
