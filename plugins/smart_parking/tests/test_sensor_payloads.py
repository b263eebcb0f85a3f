"""Sensor payloads in shapes the endpoint does not know, too many events, hostile text: a clear
4xx with field-level messages (whole sentences in lists), and nothing stored."""
from datetime import timedelta

import pytest

from coopserv.plugin_api import utcnow
from coopserv_plugins.smart_parking.models import SensorEvent
from coopserv_plugins.smart_parking.schemas import MAX_BATCH

from .conftest import count, send


def _whole_messages(errors):
    """Every leaf of ``errors`` is a list of sentences (never characters)."""
    for value in errors.values():
        if isinstance(value, dict):
            _whole_messages(value)
        else:
            assert isinstance(value, list) and value, value
            assert all(isinstance(message, str) and len(message) > 3 for message in value), value


@pytest.mark.parametrize("body", [
    {"events": "S-01 occupied"},
    {"events": {"spot": "S-01"}},
    {"events": []},
    {"events": None},
    {"data": [{"id": "urn:ngsi-ld:ParkingSpot:S-01", "status": {"value": "occupied"}}], "subscriptionId": "x"},
    {"spot": ["S-01"], "status": {"value": "free"}, "observed_at": 12, "event_id": True},
])
def test_unknown_shapes_get_field_level_messages(client, autun, lot, body):
    response = send(client, "autun-morvan", lot.key, body)
    assert response.status_code == 422, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["status"] == 422 and answer["message"]
    _whole_messages(answer["errors"])
    assert count(SensorEvent) == 0


def test_a_batch_over_the_endpoint_limit_is_refused_whole(client, autun, lot):
    at = (utcnow() - timedelta(minutes=5)).isoformat() + "Z"
    events = [{"spot": "S-01", "status": "free", "observed_at": at, "event_id": str(n)} for n in range(MAX_BATCH + 1)]
    response = send(client, "autun-morvan", lot.key, {"events": events})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"events": [f"Envoyez entre 1 et {MAX_BATCH} événements par lot."]}
    assert count(SensorEvent) == 0
    # The largest batch the endpoint takes fits the request body limit.
    response = send(client, "autun-morvan", lot.key, {"events": events[:MAX_BATCH]})
    assert response.status_code == 200 and response.get_json()["accepted"] == MAX_BATCH


@pytest.mark.parametrize("event", [
    {"spot": "S-01\x00", "status": "free", "event_id": "a"},
    {"spot": "S-01", "status": "free", "event_id": "a\x1b"},
    {"spot": "S-01", "status": "free", "event_id": "b", "observed_at": "0001-01-01T00:00:00+14:00"},
    {"spot": "S-01", "status": "free", "event_id": "c", "observed_at": "9999-12-31T23:59:59-14:00"},
    {"spot": "S-01", "status": "free", "event_id": "d", "observed_at": "2030-01-01T00:00:00+15:00"},
])
def test_hostile_values_are_refused_without_a_crash(client, autun, lot, event):
    event.setdefault("observed_at", (utcnow() - timedelta(minutes=1)).isoformat() + "Z")
    single = send(client, "autun-morvan", lot.key, event)
    assert single.status_code == 422, single.get_data(as_text=True)
    _whole_messages(single.get_json()["errors"])
    batch = send(client, "autun-morvan", lot.key, {"events": [event]})
    assert batch.status_code in (200, 422)
    if batch.status_code == 200:
        assert batch.get_json()["accepted"] == 0 and len(batch.get_json()["rejected"]) == 1
    assert count(SensorEvent) == 0


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                       "2030-01-01T08:00:00+15:00"])
def test_reservations_at_impossible_times_are_field_errors(make_client, autun, lot, starts_at):
    employee = make_client()
    employee.login(autun.employee)
    response = employee.post_json("/t/autun-morvan/services/smart_parking/requests", {
        "lot_id": lot.lot_id, "starts_at": starts_at, "ends_at": "2030-01-01T10:00"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "starts_at" in response.get_json()["errors"]
