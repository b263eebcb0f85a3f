"""Batches from one sensor sent at the same time, overlapping and in opposite orders: on PostgreSQL
this used to deadlock and lose a whole batch with a 500. Every accepted batch must be stored."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from coopserv.plugin_api import utcnow
from coopserv_plugins.smart_parking import ingestion
from coopserv_plugins.smart_parking.models import SensorEvent

from .conftest import count, send, spot_state

ROUNDS = 12
#: Minutes of events per batch (one per spot and minute): enough rows for the inserts to overlap.
MINUTES = 100


def _events(lot, start, prefix):
    """One event per spot and minute, newest last, with ids shared between the two senders."""
    events = []
    for minute in range(MINUTES):
        for ref in sorted(lot.spots):
            status = "occupied" if (minute + len(ref)) % 2 else "free"
            events.append({"spot": ref, "status": status, "event_id": f"{prefix}-{ref}-{minute}",
                           "observed_at": (start + timedelta(minutes=minute)).isoformat() + "Z"})
    return events


def _send_together(app, lot, bodies):
    """Send ``bodies`` at the same instant from separate threads; return the responses."""
    barrier = threading.Barrier(len(bodies))
    responses = [None] * len(bodies)

    def run(index, body):
        client = app.test_client()
        barrier.wait()
        try:
            responses[index] = send(client, "autun-morvan", lot.key, body)
        except Exception as error:  # TESTING lets a view's exception through: report it as the answer
            responses[index] = error

    threads = [threading.Thread(target=run, args=(index, body)) for index, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def test_overlapping_batches_in_opposite_orders_are_all_stored(app, autun, lot):
    start = utcnow().replace(microsecond=0) - timedelta(minutes=MINUTES * (ROUNDS + 1))
    expected = 0
    for number in range(ROUNDS):
        events = _events(lot, start + timedelta(minutes=MINUTES * number), f"r{number}")
        forward, backward = {"events": events}, {"events": list(reversed(events))}
        responses = _send_together(app, lot, [forward, backward, backward, forward])
        assert all(getattr(r, "status_code", None) == 200 for r in responses), \
            [r if isinstance(r, Exception) else r.get_data(as_text=True)[:300] for r in responses]
        bodies = [response.get_json() for response in responses]
        # Each event is accepted exactly once, whichever batch won it.
        assert sum(body["accepted"] for body in bodies) == len(events)
        assert all(body["accepted"] + body["duplicates"] == len(events) for body in bodies)
        expected += len(events)
        assert count(SensorEvent) == expected
    # Every spot shows its newest observation.
    last = _events(lot, start + timedelta(minutes=MINUTES * (ROUNDS - 1)), "check")
    for ref, spot_id in lot.spots.items():
        newest = [e for e in last if e["spot"] == ref][-1]
        assert spot_state(spot_id)[0] == newest["status"]


def test_a_deadlocked_transaction_is_retried_and_the_batch_kept(client, autun, lot, monkeypatch):
    """Whatever the order, PostgreSQL may still pick a victim (another writer of the spots): retry it."""
    real, failures = ingestion._insert_new, []

    class Deadlock(Exception):
        sqlstate = "40P01"

    def deadlocking_once(device, rows, now):
        if not failures:
            failures.append(True)
            raise OperationalError("INSERT …", {}, Deadlock("deadlock detected"))
        return real(device, rows, now)

    monkeypatch.setattr(ingestion, "_insert_new", deadlocking_once)
    at = utcnow().replace(microsecond=0) - timedelta(minutes=3)
    response = send(client, "autun-morvan", lot.key, {"events": [
        {"spot": "S-01", "status": "occupied", "observed_at": at.isoformat() + "Z", "event_id": "d1"},
        {"spot": "S-02", "status": "free", "observed_at": at.isoformat() + "Z", "event_id": "d2"}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["accepted"] == 2 and failures == [True]
    assert count(SensorEvent) == 2 and spot_state(lot.spots["S-01"])[0] == "occupied"


def test_an_error_that_is_not_a_deadlock_is_not_retried(client, autun, lot, monkeypatch):
    calls = []

    def broken(device, rows, now):
        calls.append(True)
        raise OperationalError("INSERT …", {}, Exception("disk full"))

    monkeypatch.setattr(ingestion, "_insert_new", broken)
    at = utcnow().replace(microsecond=0) - timedelta(minutes=3)
    with pytest.raises(OperationalError):
        send(client, "autun-morvan", lot.key, {"spot": "S-01", "status": "occupied",
                                               "observed_at": at.isoformat() + "Z", "event_id": "x"})
    assert calls == [True]
