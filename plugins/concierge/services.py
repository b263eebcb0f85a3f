"""The one place that writes concierge rows, and the queries its pages and indicators use."""
from datetime import date, timedelta
from decimal import Decimal

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coopserv.plugin_api import ServiceRequest, db, gettext, local_today, utcnow

from .models import CatalogItem, Order, OrderLine, PickupPoint, PickupSlot, Provider
from .round_cells import ROUND_STATUSES, round_lines  # noqa: F401  (the round: read from its maintained cells)

SERVICE_KEY = "concierge"


#: How far back "most used" looks when the order form sorts providers: the last 90 days, and at most
#: the latest orders below, so the form of a territory with a million orders reads a bounded slice.
USAGE_WINDOW_DAYS = 90
USAGE_WINDOW_ORDERS = 500


def active_catalogue():
    """Active providers with their active items, the most ordered from first (three queries)."""
    providers = db.session.scalars(
        select(Provider).where(Provider.active.is_(True)).options(selectinload(Provider.items)).order_by(Provider.name)
    ).all()
    usage = provider_usage(utcnow() - timedelta(days=USAGE_WINDOW_DAYS))
    providers = sorted(providers, key=lambda provider: -usage.get(provider.id, 0))  # stable: ties stay by name
    return [(provider, [item for item in provider.items if item.active]) for provider in providers]


def provider_usage(since, orders=USAGE_WINDOW_ORDERS):
    """Items ordered per provider in the latest ``orders`` orders since ``since``: {provider id: quantity}."""
    # The latest orders by key alone (a short backward index scan), then the date test on those.
    latest = select(Order.id).order_by(Order.id.desc()).limit(orders)
    rows = db.session.execute(
        select(OrderLine.provider_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .join(ServiceRequest, ServiceRequest.id == Order.request_id)
        .where(OrderLine.order_id.in_(latest), ServiceRequest.created_at >= since,
               OrderLine.provider_id.is_not(None))
        .group_by(OrderLine.provider_id)
    ).all()
    return {provider_id: quantity or 0 for provider_id, quantity in rows}


def active_slots():
    return db.session.scalars(
        select(PickupSlot).join(PickupPoint).where(PickupPoint.active.is_(True))
        .options(selectinload(PickupSlot.pickup_point))
        .order_by(PickupPoint.name, PickupSlot.weekday, PickupSlot.starts_at)
    ).all()


def next_dates(slot, first_day, count=6):
    """The next ``count`` dates on or after ``first_day`` when ``slot`` is open."""
    offset = (slot.weekday - first_day.weekday()) % 7
    start = first_day + timedelta(days=offset)
    return [start + timedelta(weeks=n) for n in range(count)]


def store_order(request, payload):
    """Create the order and its lines for a new request, pricing from the catalogue, not the client."""
    ids = [line["item_id"] for line in payload["items"]]
    items = {item.id: item for item in db.session.scalars(select(CatalogItem).where(CatalogItem.id.in_(ids)))}
    order = Order(request_id=request.id, requester_id=request.requester_id, slot_id=payload["slot_id"],
                  dropoff_date=payload["dropoff_date"], notes=payload.get("notes", ""))
    total = 0
    for line in payload["items"]:
        item = items[line["item_id"]]
        order.lines.append(OrderLine(item_id=item.id, provider_id=item.provider_id, label=item.name,
                                     quantity=line["quantity"], unit_price_cents=item.price_cents))
        total += item.price_cents * line["quantity"]
    order.total_cents = total
    db.session.add(order)
    return order


def order_for_request(request_id):
    return db.session.scalar(
        select(Order).filter_by(request_id=request_id).options(selectinload(Order.lines), selectinload(Order.slot))
    )


def list_providers():
    return db.session.scalars(select(Provider).options(selectinload(Provider.items)).order_by(Provider.name)).all()


def list_pickup_points():
    return db.session.scalars(
        select(PickupPoint).options(selectinload(PickupPoint.slots)).order_by(PickupPoint.name)
    ).all()


def create_provider(data):
    provider = Provider(**data)
    db.session.add(provider)
    db.session.commit()
    return provider


def create_item(data):
    provider = db.session.scalar(select(Provider).filter_by(id=data["provider_id"]))
    if provider is None:
        raise ValidationError({"provider_id": [gettext("Choose one of the providers.")]})
    price = Decimal(data.pop("price"))
    item = CatalogItem(price_cents=int((price * 100).to_integral_value()), **data)
    db.session.add(item)
    db.session.commit()
    return item


def set_item_active(item, active):
    item.active = active
    db.session.commit()


def create_pickup_point(data):
    point = PickupPoint(**data)
    db.session.add(point)
    db.session.commit()
    return point


def create_slot(data):
    point = db.session.scalar(select(PickupPoint).filter_by(id=data["pickup_point_id"]))
    if point is None:
        raise ValidationError({"pickup_point_id": [gettext("Choose one of the pickup points.")]})
    slot = PickupSlot(**data)
    db.session.add(slot)
    db.session.commit()
    return slot


def today():
    return local_today()


def week_window(start: date | None = None):
    first = start or today()
    return first, first + timedelta(days=13)


#: Orders a stopped concierge can still turn down: nothing has been collected yet.
NOT_STARTED = ("submitted", "accepted")


def reject_orders_not_started(module):
    """Reject the orders nothing was done for yet, telling each requester; return how many."""
    from coopserv.plugin_api import apply_transition

    requests = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.module_id == module.id, ServiceRequest.status.in_(NOT_STARTED))
        .order_by(ServiceRequest.id)
    ).all()
    comment = gettext("The concierge service has stopped; this order will not be collected.")
    for request in requests:
        apply_transition(request, "reject", None, may_operate=True, comment=comment, commit=False)
    db.session.commit()
    return len(requests)
