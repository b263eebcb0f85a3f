"""Concierge indicators: rollups of the module's requests, declared once, kept by the core.

Each ``compute`` function says the same thing as its ``rollup`` declaration by
reading the rows directly; the core reads the rollup, the tests compare both.
"""
from sqlalchemy import func, select

from coopserv.plugin_api import (
    Indicator,
    RequestMeasure,
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


def order_total_cents():
    """Per request: the order's total (a request of the concierge has one order)."""
    return select(Order.total_cents).where(Order.request_id == ServiceRequest.id).scalar_subquery()


def hours_to_ready():
    """Per request: hours from the order to its (first) "ready", or NULL while it is not ready."""
    ready_at = (select(func.min(StatusChange.at))
                .where(StatusChange.request_id == ServiceRequest.id, StatusChange.to_status == "ready")
                .scalar_subquery())
    return hours_between(ready_at, ServiceRequest.created_at)


INDICATORS = [
    Indicator("concierge.orders", _l("Concierge orders"), _l("orders"), SERVICE_KEY, orders,
              _l("Orders placed in the period."), per_employees=True,
              rollup=RequestMeasure("count", by_organization=True)),
    Indicator("concierge.active_users", _l("Active concierge users"), _l("people"), SERVICE_KEY, active_users,
              _l("People who placed at least one order in the period."), per_employees=True,
              rollup=RequestMeasure("distinct_requesters")),
    Indicator("concierge.provider_turnover", _l("Turnover for local providers"), "€", SERVICE_KEY, provider_turnover,
              _l("Value of the orders delivered, placed in the period."),
              rollup=RequestMeasure("sum", value=order_total_cents, statuses=("delivered",), scale=0.01, digits=2)),
    Indicator("concierge.median_hours_to_ready", _l("Median time to ready"), _l("hours"), SERVICE_KEY,
              median_hours_to_ready, _l("From the order to “ready”, for orders placed in the period."),
              rollup=RequestMeasure("percentile", value=hours_to_ready, percentile=0.5, digits=2)),
]
