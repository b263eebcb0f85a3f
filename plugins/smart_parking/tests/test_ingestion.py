"""The sensor API: authentication per sensor, idempotence, ordering, partial rejection, silence."""
from datetime import timedelta

from coopserv_plugins.smart_parking.models import Device, SensorEvent, Spot

from coopserv.plugin_api import utcnow

from .conftest import count, send, spot_state


def iso(moment):
    return moment.isoformat() + "Z"


def event(spot, status, at, event_id):
    return {"spot": spot, "status": status, "observed_at": iso(at), "event_id": event_id}


def test_single_event_sets_the_spot_status_and_marks_the_sensor_alive(client, autun, lot):
    at = utcnow().replace(microsecond=0) - timedelta(minutes=2)
    response = send(client, "autun-morvan", lot.key, event("S-01", "occupied", at, "e1"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"received": 1, "accepted": 1, "duplicates": 0, "spots_updated": 1, "rejected": []}
    assert spot_state(lot.spots["S-01"]) == ("occupied", at)
    assert spot_state(lot.spots["S-02"]) == ("unknown", None)
    assert count(Device, id=lot.device_id) == 1
    from coopserv.plugin_api import db
    assert db.session.get(Device, lot.device_id).last_seen_at is not None


def test_an_event_seen_twice_is_applied_once(client, autun, lot):
    at = utcnow() - timedelta(minutes=10)
    batch = {"events": [event("S-01", "occupied", at, "a"), event("S-02", "free", at, "b")]}
    first = send(client, "autun-morvan", lot.key, batch).get_json()
    assert (first["accepted"], first["duplicates"], first["spots_updated"]) == (2, 0, 2)
    # The sensor did not get the answer and sends the batch again, plus the same event twice in one batch.
    again = send(client, "autun-morvan", lot.key, {"events": batch["events"] + [batch["events"][0]]}).get_json()
    assert (again["accepted"], again["duplicates"], again["spots_updated"]) == (0, 3, 0)
    assert count(SensorEvent) == 2
    # Same event id with other content is still the same event: ignored.
    replay = send(client, "autun-morvan", lot.key, event("S-01", "free", at + timedelta(minutes=5), "a")).get_json()
    assert replay["duplicates"] == 1
    assert spot_state(lot.spots["S-01"])[0] == "occupied"


def test_an_older_event_never_overwrites_a_newer_status(client, autun, lot):
    now = utcnow().replace(microsecond=0)
    send(client, "autun-morvan", lot.key, event("S-01", "free", now - timedelta(minutes=1), "newer"))
    late = send(client, "autun-morvan", lot.key, event("S-01", "occupied", now - timedelta(minutes=30), "older"))
    assert late.get_json()["accepted"] == 1 and late.get_json()["spots_updated"] == 0
    assert spot_state(lot.spots["S-01"]) == ("free", now - timedelta(minutes=1))
    # Inside one batch, out of order: the newest observation wins whatever its position.
    batch = [event("S-02", "occupied", now - timedelta(minutes=3), "x3"),
             event("S-02", "free", now - timedelta(minutes=9), "x1"),
             event("S-02", "free", now - timedelta(minutes=6), "x2")]
    result = send(client, "autun-morvan", lot.key, {"events": batch}).get_json()
    assert result["accepted"] == 3 and result["spots_updated"] == 1
    assert spot_state(lot.spots["S-02"]) == ("occupied", now - timedelta(minutes=3))
    assert count(SensorEvent) == 5  # late events stay in the history for the indicators


def test_a_batch_applies_valid_events_and_reports_each_rejected_one(client, autun, lot):
    now = utcnow()
    batch = {"events": [
        event("S-01", "occupied", now - timedelta(minutes=1), "ok-1"),
        event("Z-99", "occupied", now - timedelta(minutes=1), "unknown-spot"),
        {"spot": "S-02", "status": "parked", "observed_at": "yesterday", "event_id": "bad-fields"},
        event("S-03", "occupied", now + timedelta(hours=2), "future"),
        "not an object",
        {"spot": "S-04", "status": "free", "observed_at": iso(now)},
        event("S-04", "free", now - timedelta(minutes=1), "ok-2"),
    ]}
    response = send(client, "autun-morvan", lot.key, batch)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["received"], body["accepted"], body["spots_updated"]) == (7, 2, 2)
    rejected = {item["index"]: item for item in body["rejected"]}
    assert set(rejected) == {1, 2, 3, 4, 5}
    assert rejected[1]["reason"] == "unknown_spot" and "Z-99" in rejected[1]["errors"]["spot"][0]
    assert rejected[2]["reason"] == "invalid" and set(rejected[2]["errors"]) == {"status", "observed_at"}
    assert rejected[2]["event_id"] == "bad-fields"
    assert rejected[3]["reason"] == "in_future" and "observed_at" in rejected[3]["errors"]
    assert rejected[4]["reason"] == "invalid"
    assert rejected[5]["errors"] == {"event_id": [rejected[5]["errors"]["event_id"][0]]}
    assert count(SensorEvent) == 2
    assert spot_state(lot.spots["S-01"])[0] == "occupied" and spot_state(lot.spots["S-03"])[0] == "unknown"


def test_a_malformed_batch_is_refused_whole_and_stores_nothing(client, autun, lot):
    url = "/t/autun-morvan/smart-parking/api/events"
    headers = {"X-Sensor-Key": lot.key}
    not_json = client.post(url, data="spot=S-01", headers=headers, content_type="text/plain")
    assert not_json.status_code == 400 and not_json.get_json()["message"]
    assert send(client, "autun-morvan", lot.key, "just text").status_code == 400
    not_a_list = send(client, "autun-morvan", lot.key, {"events": {"spot": "S-01"}})
    assert not_a_list.status_code == 422 and "events" in not_a_list.get_json()["errors"]
    empty = send(client, "autun-morvan", lot.key, {"events": []})
    assert empty.status_code == 422 and "events" in empty.get_json()["errors"]
    too_big = send(client, "autun-morvan", lot.key, {"events": [{}] * 5001})
    assert too_big.status_code == 422
    assert count(SensorEvent) == 0
    assert spot_state(lot.spots["S-01"])[0] == "unknown"


def test_a_single_event_for_an_unknown_spot_is_refused_with_a_field_error(client, autun, lot):
    response = send(client, "autun-morvan", lot.key, event("B-12", "free", utcnow(), "e"))
    assert response.status_code == 422
    body = response.get_json()
    assert body["reason"] == "unknown_spot" and "B-12" in body["errors"]["spot"][0]
    bad = send(client, "autun-morvan", lot.key, {"spot": "S-01", "status": "free"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"observed_at", "event_id"}
    assert count(SensorEvent) == 0


def test_bad_missing_revoked_or_foreign_keys_are_refused(client, autun, lot, figeac, scoped):
    from coopserv_plugins.smart_parking import services

    body = event("S-01", "free", utcnow(), "e")
    for key in (None, "", "spk_not-a-real-key", lot.key + "x", "Bearer " + lot.key):
        response = send(client, "autun-morvan", key, body)
        assert response.status_code == 401, key
        assert response.get_json()["message"]
    # A key of Autun's sensor does not work on Figeac's API, and the reverse.
    from .conftest import build_lot

    other = build_lot(figeac.territory, name="Parking Figeac Aéro")
    assert send(client, "figeac", lot.key, body).status_code == 401
    assert send(client, "autun-morvan", other.key, body).status_code == 401
    with scoped(autun.territory):
        from coopserv.plugin_api import db
        services.set_device_active(db.session.get(Device, lot.device_id), False)
    assert send(client, "autun-morvan", lot.key, body).status_code == 401
    assert count(SensorEvent) == 0
    # Only a hash of the key is stored.
    assert count(Device, key_hash=services.hash_key(lot.key)) == 1
    assert count(Device, key_hash=lot.key) == 0


def test_a_silent_sensor_turns_its_spots_unknown_and_buffered_events_still_apply(app, client, autun, lot, scoped):
    from coopserv_plugins.smart_parking import services

    now = utcnow().replace(microsecond=0)
    send(client, "autun-morvan", lot.key, {"events": [event("S-01", "occupied", now - timedelta(minutes=1), "1"),
                                                      event("S-02", "free", now - timedelta(minutes=1), "2")]})
    with scoped(autun.territory):
        assert services.mark_silent_sensors(autun.territory.id, now + timedelta(minutes=20), 30) == 0
        # Through the tick hook, as `coopserv tick` calls it: 31 minutes of silence > 30 configured.
        later = now + timedelta(minutes=31)
        app.extensions["coopserv"].call_each("tick", territory=autun.territory, now=later)
        assert spot_state(lot.spots["S-01"]) == ("unknown", now - timedelta(minutes=1))
        assert spot_state(lot.spots["S-02"])[0] == "unknown"
        assert services.mark_silent_sensors(autun.territory.id, later, 30) == 0  # idempotent
    # The sensor comes back with what it saw meanwhile: newer than the last observation, so it applies.
    back = send(client, "autun-morvan", lot.key, event("S-01", "free", now, "3")).get_json()
    assert back["spots_updated"] == 1
    assert spot_state(lot.spots["S-01"]) == ("free", now)


def test_a_spot_closed_by_the_operator_stays_closed_whatever_the_sensor_says(client, autun, lot, scoped):
    from coopserv_plugins.smart_parking import services

    from coopserv.plugin_api import db

    with scoped(autun.territory):
        services.set_spot_closed(db.session.get(Spot, lot.spots["S-01"]), True)
    result = send(client, "autun-morvan", lot.key, event("S-01", "free", utcnow(), "e")).get_json()
    assert result["accepted"] == 1 and result["spots_updated"] == 0
    assert spot_state(lot.spots["S-01"])[0] == "closed"


def test_the_api_answers_404_when_the_module_is_not_enabled(client, make_territory):
    make_territory("grand-quercy", "Grand Quercy")
    response = send(client, "grand-quercy", "spk_x", event("S-01", "free", utcnow(), "e"))
    assert response.status_code == 404 and response.get_json()["message"]
