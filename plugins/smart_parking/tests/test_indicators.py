"""Indicators against a hand-counted day of sensor history and reservations."""
from datetime import datetime, time, timedelta

import pytest
from coopserv_plugins.smart_parking import ingestion
from coopserv_plugins.smart_parking.models import Device, Reservation
from sqlalchemy import select, update

from coopserv.plugin_api import apply_transition, db, local_today, to_local, utcnow

from .conftest import build_lot


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute))


def history_event(day, ref, status, hour, minute=0):
    return {"spot": ref, "status": status, "observed_at": at(day, hour, minute).isoformat(), "event_id":
            f"{ref}-{hour}-{minute}-{status}"}


@pytest.fixture
def two_spot_day(autun, scoped):
    """Two spots, two days ago: S-01 occupied 08:00-10:00 (a late heartbeat at 08:30), S-02 09:00-09:30."""
    day = local_today() - timedelta(days=2)
    lot = build_lot(autun.territory, name="Parking test", standard=2, carpool=0)
    events = [
        history_event(day, "S-01", "free", 6),
        history_event(day, "S-01", "occupied", 8),
        history_event(day, "S-02", "occupied", 9),
        history_event(day, "S-02", "free", 9, 30),
        history_event(day, "S-01", "free", 10),
        history_event(day + timedelta(days=1), "S-02", "occupied", 8),  # after the period: left out
    ]
    late_heartbeat = [history_event(day, "S-01", "occupied", 8, 30)]
    with scoped(autun.territory):
        device = db.session.get(Device, lot.device_id)
        ingestion.ingest(device, events)
        ingestion.ingest(db.session.get(Device, lot.device_id), late_heartbeat)
    return lot, day


def compute(app, key, module, start, end):
    return app.extensions["coopserv"].indicators[key].compute(module, start, end)


def test_occupancy_by_hour_of_day_and_turnover(app, autun, two_spot_day, scoped):
    from coopserv_plugins.smart_parking.indicators import occupancy_by_hour, turnover

    lot, day = two_spot_day
    start, end = at(day, 0), at(day + timedelta(days=1), 0)
    with scoped(autun.territory):
        profile = occupancy_by_hour(autun.territory.id, start, end, lot.lot_id)
        assert len(profile) == 24
        # Hours of the day are Autun's (the sensors' 8:00 UTC is 9:00 or 10:00 there).
        eight, nine = (to_local(at(day, hour), autun.territory).hour for hour in (8, 9))
        assert profile[eight] == 50.0 and profile[nine] == 75.0
        assert all(value == 0 for hour, value in profile.items() if hour not in (eight, nine))
        assert turnover(autun.territory.id, start, end, lot.lot_id) == 1.0  # 2 arrivals / 2 spots / 1 day
        assert compute(app, "smart_parking.mean_occupancy", autun.module, start, end) == round(125 / 24, 1)
        assert compute(app, "smart_parking.peak_hour_occupancy", autun.module, start, end) == 75.0
        assert compute(app, "smart_parking.turnover", autun.module, start, end) == 1.0
        # Half a day (06:00-09:30): hour 9 has S-01 for 30 min and S-02 for 30 min over 2 spots x 30 min.
        half = occupancy_by_hour(autun.territory.id, at(day, 6), at(day, 9, 30), lot.lot_id)
        assert list(half) == [eight - 2, eight - 1, eight, nine] and half[nine] == 100.0
        # A period with no spot-hours elapsed yet gives nothing rather than a made-up zero.
        assert compute(app, "smart_parking.mean_occupancy", autun.module, utcnow() + timedelta(days=1),
                       utcnow() + timedelta(days=2)) is None


def test_reservations_honoured_counts_settled_reservations_only(app, make_client, make_user, autun, lot, scoped):
    from coopserv.plugin_api import ServiceRequest

    client = make_client()
    ids = []
    for user in (autun.employee, autun.colleague, make_user(autun.territory, "employee", autun.nexans)):
        client.login(user)
        day = local_today() + timedelta(days=1)
        response = client.post_json("/t/autun-morvan/services/smart_parking/requests", {
            "lot_id": lot.lot_id, "starts_at": f"{day}T08:00", "ends_at": f"{day}T12:00"})
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
        client.logout()
    with scoped(autun.territory):
        requests = {r.id: r for r in db.session.scalars(select(ServiceRequest))}
        apply_transition(requests[ids[0]], "check_in", None, may_operate=True)
        apply_transition(requests[ids[1]], "release", None, may_operate=True)
        db.session.execute(update(Reservation).values(starts_at=at(local_today() - timedelta(days=3), 8)))
        db.session.commit()
        start, end = at(local_today() - timedelta(days=4), 0), at(local_today(), 0)
        assert compute(app, "smart_parking.reservations_honoured", autun.module, start, end) == 50.0
        assert compute(app, "smart_parking.reservations_honoured", autun.module, end, end + timedelta(days=1)) is None


def test_the_lot_indicators_page_shows_the_hour_profile(make_client, autun, two_spot_day):
    lot, day = two_spot_day
    operator = make_client()
    operator.login(autun.operator)
    url = f"/t/autun-morvan/smart-parking/lots/{lot.lot_id}/indicators?start={day}&end={day}"
    data = operator.get(url, headers={"Accept": "application/json"}).get_json()
    nine = to_local(at(day, 9), autun.territory).hour  # the sensors' 9:00 UTC on Autun's clock
    assert data["profile"][str(nine)] == 75.0 and data["arrivals"] == 2 and data["turnover"] == 1.0
    html = operator.get(url).get_data(as_text=True)
    assert f"{nine:02d}:00" in html and "75.0" in html
