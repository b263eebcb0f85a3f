"""Personal data export and erasure, the demo seed, and the traffic simulator command."""
from datetime import timedelta

from coopserv_plugins.smart_parking.models import (
    Device,
    Lot,
    Reservation,
    SensorEvent,
    Spot,
)
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, db, local_today

from .conftest import count


def test_personal_data_export_and_erase(make_client, autun, lot):
    from coopserv.testing import erase_person, export_person

    employee = make_client()
    employee.login(autun.employee)
    day = local_today() + timedelta(days=1)
    assert employee.post_json("/t/autun-morvan/services/smart_parking/requests", {
        "lot_id": lot.lot_id, "starts_at": f"{day}T08:00", "ends_at": f"{day}T12:00"}).status_code == 201
    exported = export_person(autun.employee)
    [row] = exported["smart_parking_reservations"]
    assert row["spot_id"] == lot.spots["S-01"] and row["starts_at"].startswith(day.isoformat())
    assert export_person(autun.colleague)["smart_parking_reservations"] == []
    erase_person(autun.employee)
    [kept] = db.session.scalars(select(Reservation).execution_options(**{ALL_TERRITORIES: True})).all()
    assert kept.user_id is None and kept.spot_id == lot.spots["S-01"]  # statistics survive, the person does not


def test_demo_seeds_autun_morvan_smart_parking_pilot(app):
    from coopserv.plugin_api import Territory
    from coopserv.testing import seed_demo

    seed_demo()
    autun = db.session.scalar(select(Territory).filter_by(slug="autun-morvan"))
    lot = db.session.scalar(select(Lot).where(Lot.name == "Parking Nexans Saint-Andoche", Lot.territory_id == autun.id)
                            .execution_options(**{ALL_TERRITORIES: True}))
    assert lot is not None and lot.allow_reservations and lot.carpool_priority
    assert count(Spot, lot_id=lot.id) == 40 and count(Device, lot_id=lot.id) == 40
    events = db.session.scalar(select(func.count()).select_from(SensorEvent).join(Spot, Spot.id == SensorEvent.spot_id)
                               .where(Spot.lot_id == lot.id).execution_options(**{ALL_TERRITORIES: True}))
    assert events >= 1000
    statuses = set(db.session.scalars(select(Spot.status).where(Spot.lot_id == lot.id)
                                      .execution_options(**{ALL_TERRITORIES: True})))
    assert "occupied" in statuses
    assert count(Reservation, lot_id=lot.id) == 1
    spots = app.test_client().get("/t/autun-morvan/ngsi-ld/v1/entities?type=ParkingSpot&limit=100").get_json()
    assert len(spots) == 48  # the demo publishes its car parks: 40 spots at Nexans, 8 for visitors


def test_simulate_command_replays_traffic_through_the_ingestion_service(app, autun, scoped):
    from coopserv_plugins.smart_parking import services

    with scoped(autun.territory):
        lot = services.create_lot({"name": "Parking Nexans Saint-Andoche"})
        services.create_spot_range(lot, {"prefix": "A-", "first_number": 1, "count": 10, "category": "standard",
                                         "one_sensor_per_spot": True})
        lot_id = lot.id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["parking", "simulate", "autun-morvan", str(lot_id), "--events", "600",
                                 "--batch-size", "50"])
    assert result.exit_code == 0, result.output
    assert "600 events sent" in result.output and "events/s" in result.output
    assert count(SensorEvent) == 600
    again = runner.invoke(args=["parking", "simulate", "autun-morvan", "Parking Nexans Saint-Andoche", "--events", "600"])
    assert "0 accepted, 600 duplicates" in again.output  # same seed, same events: applied once
    assert count(SensorEvent) == 600
    missing = runner.invoke(args=["parking", "simulate", "autun-morvan", "Nowhere"])
    assert missing.exit_code != 0 and "No car park" in missing.output


def test_simulated_traffic_looks_like_a_working_day(app):
    from datetime import date, datetime

    from coopserv_plugins.smart_parking.simulator import traffic

    events = list(traffic([f"A-{n:02d}" for n in range(1, 41)], date(2026, 11, 23), days=1, seed=3,
                          heartbeat_minutes=0))
    arrivals = [datetime.fromisoformat(e["observed_at"][:-1]).hour for e in events if e["status"] == "occupied"]
    departures = [datetime.fromisoformat(e["observed_at"][:-1]).hour for e in events if e["status"] == "free"]
    assert 25 <= sum(1 for hour in arrivals if 6 <= hour < 11) <= 40  # most cars arrive in the morning
    assert sum(1 for hour in departures if hour >= 15) >= 25  # and leave in the evening
    assert any(12 <= hour < 15 for hour in departures)  # some leave for lunch
    assert len({e["event_id"] for e in events}) == len(events)
    assert [e["observed_at"] for e in events] == sorted(e["observed_at"] for e in events)
