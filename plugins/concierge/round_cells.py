"""The providers' round as a maintained aggregate: what to collect per day, slot, provider and label.

The round page used to add up every order line of the two-week window whose
request was still open (~4,900 orders and a join to the requests on a territory
with a million of them, 44-66 ms). It now reads ``RoundCell`` rows: at most
days x slots x providers x labels, names joined at read time, so that renaming
a provider, a pickup point or a slot shows at once, as before. Labels are the
order lines' own (copied from the catalogue when ordering), so renaming an item
changes nothing already ordered, as before.

Each open order's contribution is kept as ``RoundFact`` rows, so that a request
leaving the round is subtracted exactly even when it is deleted. ``refresh``
runs in the transaction that changed the requests (the core calls it before
commit for every created, moved, anonymised or deleted request, see
``Rollup.refresh``) and adds the difference to the cells with the core's
``store_changed_facts`` and ``add_to_cells`` (increments: two transactions adding
to the same cell lose nothing). ``rebuild`` recomputes both tables from the orders,
set-based, for history, raw SQL imports or a new definition
(``coopserv indicators rebuild --key concierge.round``).

One difference with the raw aggregate, on purpose: the "orders" column adds the
cells' distinct orders, so an order with the same label from two providers that
share a name counts once per provider (the raw query counted it once).
"""
from collections import defaultdict

from sqlalchemy import delete, func, insert, select

from coopserv.plugin_api import (
    ALL_TERRITORIES,
    Rollup,
    ServiceRequest,
    add_to_cells,
    db,
    store_changed_facts,
)

from .models import Order, OrderLine, PickupPoint, PickupSlot, Provider, RoundCell, RoundFact

KEY = "concierge.round"
#: Statuses in which the provider still has to collect or hand back the order.
ROUND_STATUSES = ("submitted", "accepted", "in_progress", "ready")
FACT_COLUMNS = ("territory_id", "request_id", "dropoff_date", "slot_id", "provider_id", "label", "quantity")
CELL_KEY = ("slot_id", "dropoff_date", "provider_id", "label")
#: Requests refreshed per statement (keeps IN lists short).
CHUNK = 500
_ALL = {ALL_TERRITORIES: True}


def fact_select(request_ids=None, territory_id=None):
    """What orders in the round contribute: one row per request, provider and label (every territory, or one)."""
    query = (
        select(Order.territory_id, Order.request_id, Order.dropoff_date, Order.slot_id, OrderLine.provider_id,
               OrderLine.label, func.sum(OrderLine.quantity).label("quantity"))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(ServiceRequest, ServiceRequest.id == Order.request_id)
        .where(ServiceRequest.status.in_(ROUND_STATUSES), Order.slot_id.is_not(None),
               OrderLine.provider_id.is_not(None))
        .group_by(Order.territory_id, Order.request_id, Order.dropoff_date, Order.slot_id, OrderLine.provider_id,
                  OrderLine.label)
    )
    if request_ids is not None:
        query = query.where(Order.request_id.in_(request_ids))
    if territory_id is not None:
        query = query.where(Order.territory_id == territory_id)
    return query.execution_options(**_ALL)


# -- incremental ---------------------------------------------------------------------------

def refresh(request_ids):
    """Bring the round in line with what ``request_ids`` contribute now, in the caller's transaction."""
    ids = sorted(set(request_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start:start + CHUNK])


def _refresh(ids):
    # Statements name their rows by request or cell: an erasure spans territories.
    new = {(row.request_id, row.provider_id, row.label): row for row in db.session.execute(fact_select(ids))}
    old = {(row.request_id, row.provider_id, row.label): row for row in db.session.execute(
        select(RoundFact.id, *(getattr(RoundFact, name) for name in FACT_COLUMNS))
        .where(RoundFact.request_id.in_(ids)).execution_options(**_ALL))}
    changes = defaultdict(lambda: {"quantity": 0, "orders": 0})
    for pair in store_changed_facts(RoundFact.__table__, FACT_COLUMNS, new, old, _fact):
        for row, sign in zip(pair, (-1, 1)):
            if row is not None:
                cell = changes[(row.slot_id, row.dropoff_date, row.provider_id, row.label)]
                cell["quantity"] += sign * int(row.quantity)
                cell["orders"] += sign
                cell["territory_id"] = row.territory_id
    add_to_cells(RoundCell.__table__, CELL_KEY, changes, amounts=("quantity", "orders"), count="orders")


def _fact(row):
    if row is None:
        return None
    return tuple(int(row.quantity) if name == "quantity" else getattr(row, name) for name in FACT_COLUMNS)


# -- rebuild -------------------------------------------------------------------------------

def rebuild(territory_id=None):
    """Recompute facts and cells from the orders, set-based (every territory, or one); the caller commits."""
    for model in (RoundCell, RoundFact):
        statement = delete(model)
        if territory_id is not None:
            statement = statement.where(model.territory_id == territory_id)
        db.session.execute(statement.execution_options(**_ALL))
    db.session.execute(insert(RoundFact.__table__).from_select(list(FACT_COLUMNS), fact_select(territory_id=territory_id)))
    facts = RoundFact.__table__.c
    grouped = select(facts.territory_id, facts.slot_id, facts.dropoff_date, facts.provider_id, facts.label,
                     func.sum(facts.quantity), func.count()) \
        .group_by(facts.territory_id, facts.slot_id, facts.dropoff_date, facts.provider_id, facts.label)
    if territory_id is not None:
        grouped = grouped.where(facts.territory_id == territory_id)
    db.session.execute(insert(RoundCell.__table__).from_select(
        ["territory_id", *CELL_KEY, "quantity", "orders"], grouped))


ROLLUP = Rollup(KEY, rebuild, version="1", refresh=refresh)


# -- reading -------------------------------------------------------------------------------

def round_lines(first_day, last_day, provider_id=None):
    """What to collect between two dates, by day, pickup point, slot, provider and label: one statement on the cells.

    Rows: (day, pickup point, slot start, slot end, provider, label, quantity, orders),
    in the current territory.
    """
    query = (
        select(RoundCell.dropoff_date, PickupPoint.name, PickupSlot.starts_at, PickupSlot.ends_at, Provider.name,
               RoundCell.label, func.sum(RoundCell.quantity), func.sum(RoundCell.orders))
        .join(Provider, Provider.id == RoundCell.provider_id)
        .join(PickupSlot, PickupSlot.id == RoundCell.slot_id)
        .join(PickupPoint, PickupPoint.id == PickupSlot.pickup_point_id)
        .where(RoundCell.dropoff_date.between(first_day, last_day))
        .group_by(RoundCell.dropoff_date, PickupPoint.name, PickupSlot.starts_at, PickupSlot.ends_at, Provider.name,
                  RoundCell.label)
        .order_by(RoundCell.dropoff_date, PickupPoint.name, PickupSlot.starts_at, Provider.name, RoundCell.label)
    )
    if provider_id:
        query = query.where(RoundCell.provider_id == provider_id)
    return [(*row[:6], int(row[6]), int(row[7])) for row in db.session.execute(query)]

