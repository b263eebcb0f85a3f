"""The round's maintained cells equal a rebuild and the raw aggregate of order lines, whatever happened.

``raw_round_lines`` is the query the round page ran before the cells existed
(every order line of the window whose request is open): the reference the cells
must add up to.
"""
import threading
from datetime import time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from coopserv.plugin_api import (
    ALL_TERRITORIES,
    IllegalTransition,
    ServiceRequest,
    apply_transition,
    db,
    submit_request,
    territory_scope,
)
from coopserv.testing import erase_person
from coopserv_plugins.concierge.models import (
    CatalogItem,
    Order,
    OrderLine,
    PickupPoint,
    PickupSlot,
    Provider,
    RoundCell,
    RoundFact,
)
from coopserv_plugins.concierge.round_cells import ROUND_STATUSES, rebuild, round_lines

from .conftest import add_catalogue, next_weekday

TRANSITIONS = ("accept", "start", "mark_ready", "deliver", "reject")
SUBMIT = st.tuples(st.just("submit"), st.integers(0, 3), st.integers(0, 1), st.integers(0, 2), st.integers(1, 7),
                   st.integers(1, 2))  # at most 10 items an order
MOVE = st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(TRANSITIONS))
CANCEL = st.tuples(st.just("cancel"), st.integers(0, 30))
ERASE = st.tuples(st.just("erase"), st.integers(0, 3))
DELETE = st.tuples(st.just("delete"), st.integers(0, 30))
OPERATIONS = st.lists(st.one_of(SUBMIT, SUBMIT, MOVE, MOVE, MOVE, CANCEL, ERASE, DELETE), min_size=1, max_size=25)


def raw_round_lines(first_day, last_day, provider_id=None):
    """The round as the page computed it from every order line before the cells (the reference)."""
    query = (
        select(Order.dropoff_date, PickupPoint.name, PickupSlot.starts_at, PickupSlot.ends_at, Provider.name,
               OrderLine.label, func.sum(OrderLine.quantity), func.count(func.distinct(Order.id)))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Provider, Provider.id == OrderLine.provider_id)
        .join(PickupSlot, PickupSlot.id == Order.slot_id)
        .join(PickupPoint, PickupPoint.id == PickupSlot.pickup_point_id)
        .join(ServiceRequest, ServiceRequest.id == Order.request_id)
        .where(Order.dropoff_date.between(first_day, last_day), ServiceRequest.status.in_(ROUND_STATUSES))
        .group_by(Order.dropoff_date, PickupPoint.name, PickupSlot.starts_at, PickupSlot.ends_at, Provider.name,
                  OrderLine.label)
        .order_by(Order.dropoff_date, PickupPoint.name, PickupSlot.starts_at, Provider.name, OrderLine.label)
    )
    if provider_id:
        query = query.where(OrderLine.provider_id == provider_id)
    return [(*row[:6], int(row[6]), int(row[7])) for row in db.session.execute(query)]


def stored_state():
    """Facts and cells of every territory as comparable values (ids left out)."""
    options = {ALL_TERRITORIES: True}
    facts = {(f.request_id, f.provider_id, f.label): (f.territory_id, f.dropoff_date, f.slot_id, f.quantity)
             for f in db.session.scalars(select(RoundFact).execution_options(**options))}
    cells = {(c.slot_id, c.dropoff_date, c.provider_id, c.label): (c.territory_id, c.quantity, c.orders)
             for c in db.session.scalars(select(RoundCell).execution_options(**options))}
    return facts, cells


@pytest.fixture
def round_catalogue(figeac, catalogue):
    """The pressing of ``catalogue`` plus a grocer, and a Thursday slot at another pickup point."""
    with territory_scope(figeac.territory):
        grocer = Provider(name="Ferme du Lot", category="fresh_produce")
        basket = CatalogItem(provider=grocer, name="Panier de légumes", price_cents=1800)
        point = PickupPoint(name="Mairie de Figeac")
        thursday = PickupSlot(pickup_point=point, weekday=3, starts_at=time(12, 0), ends_at=time(13, 30))
        db.session.add_all([grocer, basket, point, thursday])
        db.session.commit()
        catalogue.grocer, catalogue.basket, catalogue.thursday = grocer, basket, thursday
        return catalogue


def _payload(catalogue, slot_index, weeks, items_mask, quantity):
    slot = (catalogue.tuesday, catalogue.thursday)[slot_index]
    items = [item for bit, item in enumerate((catalogue.shirt, catalogue.suit, catalogue.basket)) if items_mask >> bit & 1]
    return {"items": [{"item_id": item.id, "quantity": quantity + n} for n, item in enumerate(items)],
            "slot_id": slot.id, "dropoff_date": (next_weekday(slot.weekday) + timedelta(weeks=weeks)).isoformat(),
            "notes": ""}


def _people(figeac, make_user):
    return [(make_user(figeac.territory, "employee", organization), organization)
            for organization in (figeac.aero, figeac.menuiserie, figeac.aero, figeac.aero)]


def _play(figeac, catalogue, people, operations):
    requests = []
    for operation in operations:
        kind = operation[0]
        if kind == "submit":
            _kind, who, slot_index, weeks, items_mask, quantity = operation
            user, organization = people[who]
            if user is not None:
                request = submit_request(figeac.module, user, organization,
                                         _payload(catalogue, slot_index, weeks, items_mask, quantity))
                db.session.commit()
                requests.append(request.id)
        elif kind == "erase":
            user, _organization = people[operation[1]]
            if user is not None:
                erase_person(user)
                people[operation[1]] = (None, None)
        elif requests:
            request = db.session.get(ServiceRequest, requests[operation[1] % len(requests)])
            if request is None:
                continue
            try:
                if kind == "move":
                    apply_transition(request, operation[2], figeac.operator, may_operate=True)
                elif kind == "cancel" and request.requester is not None:
                    apply_transition(request, "cancel", request.requester, may_operate=False)
                elif kind == "delete":
                    db.session.delete(request)
                    db.session.commit()
            except IllegalTransition:
                db.session.rollback()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_maintained_cells_equal_a_rebuild_and_the_raw_round(app, figeac, round_catalogue, make_user, operations):
    with territory_scope(figeac.territory):
        # Each example starts from no request; deleting them is itself kept in the round.
        db.session.execute(delete(ServiceRequest))
        db.session.commit()
        assert stored_state() == ({}, {})
        _play(figeac, round_catalogue, _people(figeac, make_user), operations)
        incremental = stored_state()
        first, last = next_weekday(0, 0) - timedelta(days=7), next_weekday(0, 0) + timedelta(weeks=5)
        assert round_lines(first, last) == raw_round_lines(first, last)
        for provider in (round_catalogue.pressing, round_catalogue.grocer):
            assert round_lines(first, last, provider.id) == raw_round_lines(first, last, provider.id)
        rebuild()
        db.session.commit()
        assert stored_state() == incremental


def test_the_page_shows_what_the_raw_round_showed(make_client, figeac, round_catalogue, make_user):
    """Two orders share a cell, a third is elsewhere, a delivered one is gone; renames show at once."""
    people = _people(figeac, make_user)
    with territory_scope(figeac.territory):
        _play(figeac, round_catalogue, people, [
            ("submit", 0, 0, 0, 3, 2), ("submit", 1, 0, 0, 1, 1), ("submit", 2, 1, 1, 4, 1),
            ("submit", 3, 0, 0, 1, 5), ("move", 3, "accept"), ("move", 3, "start"), ("move", 3, "mark_ready"),
            ("move", 3, "deliver")])
        first, last = next_weekday(0, 0) - timedelta(days=7), next_weekday(0, 0) + timedelta(weeks=5)
        rows = round_lines(first, last)
        assert rows == raw_round_lines(first, last)
        shirts = next(row for row in rows if row[5] == "Chemise")
        assert shirts[6:] == (3, 2)  # 2 + 1 shirts from two orders; the delivered 5 are no longer collected
        round_catalogue.pressing.name = "Pressing de la Place"
        db.session.commit()
        assert round_lines(first, last) == raw_round_lines(first, last)
    operator = make_client()
    operator.login(figeac.operator)
    start = next_weekday(round_catalogue.tuesday.weekday).isoformat()
    page = operator.get(f"/t/figeac/concierge/round?start={start}").get_data(as_text=True)
    assert "Pressing de la Place" in page and "Chemise" in page and "Costume" in page


def test_another_territorys_cells_never_show(make_client, figeac, autun, round_catalogue, make_user):
    theirs = add_catalogue(autun.territory)
    with territory_scope(autun.territory):
        payload = {"items": [{"item_id": theirs.suit.id, "quantity": 4}], "slot_id": theirs.tuesday.id,
                   "dropoff_date": next_weekday(1).isoformat(), "notes": ""}
        submit_request(autun.module, autun.employee, autun.company, payload)
        db.session.commit()
        first, last = next_weekday(0, 0), next_weekday(0, 0) + timedelta(weeks=2)
        assert [row[4] for row in round_lines(first, last)] == ["Pressing du Célé"]
    with territory_scope(figeac.territory):
        assert round_lines(first, last) == [] == raw_round_lines(first, last)
        assert round_lines(first, last, theirs.pressing.id) == []
    operator = make_client()
    operator.login(figeac.operator)
    page = operator.get(f"/t/figeac/concierge/round?provider={theirs.pressing.id}").get_data(as_text=True)
    assert "Costume" not in page


def test_concurrent_orders_for_one_cell_lose_no_update(app, figeac, round_catalogue, make_user):
    """Two transactions add to the same existing cell at once: both increments are kept.

    On PostgreSQL both orders are written before either commits (the upsert's row lock
    orders them); SQLite lets one writer at a time, so there the second waits for the first.
    """
    overlap = db.engine.dialect.name == "postgresql"
    people = _people(figeac, make_user)
    with territory_scope(figeac.territory):
        _play(figeac, round_catalogue, people, [("submit", 0, 0, 0, 1, 1)])
    models = (type(figeac.territory), type(figeac.module), type(people[0][0]), type(people[0][1]))
    territory_id, module_id = figeac.territory.id, figeac.module.id
    users = [(people[n][0].id, people[n][1].id) for n in (1, 2)]
    payload = _payload(round_catalogue, 0, 0, 1, 2)
    started, both_written, errors = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30), []

    def order(user_id, organization_id):
        territory_model, module_model, user_model, organization_model = models
        try:
            with app.app_context():
                with territory_scope(db.session.get(territory_model, territory_id)):
                    started.wait()
                    submit_request(db.session.get(module_model, module_id), db.session.get(user_model, user_id),
                                   db.session.get(organization_model, organization_id), payload)
                    db.session.flush()
                    if overlap:
                        both_written.wait()  # both orders are written, neither committed: the cell is shared
                    db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=order, args=user) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    db.session.expire_all()
    with territory_scope(figeac.territory):
        cell = db.session.scalars(select(RoundCell).where(RoundCell.label == "Chemise")).one()
        assert (cell.quantity, cell.orders) == (1 + 2 + 2, 3)
        incremental = stored_state()
        rebuild()
        db.session.commit()
        assert stored_state() == incremental
