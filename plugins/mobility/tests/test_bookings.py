"""Shuttle seats and bike windows: capacity holds, also when people book at the same moment."""
import threading
from datetime import datetime, timedelta

import pytest
from coopserv_plugins.mobility.models import (
    BikeBooking,
    BikePool,
    ShuttleBooking,
    ShuttleRun,
)
from sqlalchemy import func, select

from coopserv.plugin_api import db, utcnow


@pytest.fixture
def alternatives(ouest, scoped):
    with scoped(ouest.territory):
        run = ShuttleRun(business_park_id=ouest.tuburon.id, origin="Gare de Tarare",
                         departs_at=utcnow() + timedelta(days=2), seats=3)
        pool = BikePool(business_park_id=ouest.pins.id, name="E-bikes des Pins", kind="ebike", bikes=2)
        db.session.add_all([run, pool])
        db.session.commit()
        return run, pool


def _booked(ouest, scoped, model, column):
    with scoped(ouest.territory):
        return db.session.scalar(select(func.coalesce(func.sum(column), 0)).select_from(model))


def test_shuttle_seats_are_booked_until_the_run_is_full(people, ouest, alternatives, scoped):
    run, _pool = alternatives
    url = f"/t/ouest-rhodanien/mobility/shuttle/{run.id}/book"
    assert people.driver.post_json(url, {"seats": 2}).status_code == 201
    full = people.passenger.post_json(url, {"seats": 2})
    assert full.status_code == 409 and full.get_json()["message"]
    assert people.passenger.post_json(url, {"seats": 0}).status_code == 422
    assert people.passenger.post_json(url, {"seats": 1}).status_code == 201
    assert _booked(ouest, scoped, ShuttleBooking, ShuttleBooking.seats) == 3
    page = people.second.get("/t/ouest-rhodanien/mobility/").get_data(as_text=True)
    assert "Gare de Tarare" in page


def test_bike_windows_never_overlap_more_than_the_pool_holds(people, ouest, alternatives, scoped):
    _run, pool = alternatives
    url = f"/t/ouest-rhodanien/mobility/bikes/{pool.id}/book"
    day = (utcnow() + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)

    def window(start, end):
        return {"starts_at": (day + timedelta(hours=start)).isoformat(), "ends_at": (day + timedelta(hours=end)).isoformat()}

    assert people.driver.post_json(url, window(8, 12)).status_code == 201
    assert people.passenger.post_json(url, window(10, 14)).status_code == 201
    assert people.second.post_json(url, window(11, 13)).status_code == 409
    assert people.second.post_json(url, window(14, 16)).status_code == 201
    bad = people.second.post_json(url, window(16, 15))
    assert bad.status_code == 422 and "ends_at" in bad.get_json()["errors"]
    with scoped(ouest.territory):
        assert db.session.scalar(select(func.count(BikeBooking.id))) == 3


def _race(clients, url, payload):
    """Send the same booking from every client at the same moment; return the status codes."""
    barrier = threading.Barrier(len(clients))
    codes = []

    def book(client):
        barrier.wait()
        codes.append(client.post_json(url, payload).status_code)

    threads = [threading.Thread(target=book, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(codes)


@pytest.fixture
def crowd(make_user, make_client, ouest):
    clients = []
    for number in range(8):
        client = make_client()
        client.login(make_user(ouest.territory, "employee", ouest.textiles, email=f"rider{number}@textiles.example"))
        clients.append(client)
    return clients


def test_concurrent_shuttle_bookings_never_overbook(crowd, ouest, alternatives, scoped):
    run, _pool = alternatives
    codes = _race(crowd, f"/t/ouest-rhodanien/mobility/shuttle/{run.id}/book", {"seats": 1})
    assert codes == [201] * 3 + [409] * 5
    assert _booked(ouest, scoped, ShuttleBooking, ShuttleBooking.seats) == 3


def test_concurrent_bike_bookings_never_overbook(crowd, ouest, alternatives, scoped):
    _run, pool = alternatives
    start = datetime.combine((utcnow() + timedelta(days=4)).date(), datetime.min.time()).replace(hour=9)
    codes = _race(crowd, f"/t/ouest-rhodanien/mobility/bikes/{pool.id}/book",
                  {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
    assert codes == [201] * 2 + [409] * 6
    with scoped(ouest.territory):
        assert db.session.scalar(select(func.count(BikeBooking.id))) == 2
