"""The occupancy rollup gives the raw computation's figures, whatever order and copies the readings come in."""
import random
from datetime import datetime, timedelta

import pytest
from coopserv_plugins.smart_parking import indicators, ingestion, occupancy
from coopserv_plugins.smart_parking.models import Device, Lot, OccupancyCell, OccupancyDay, Spot
from sqlalchemy import delete, func, select

from coopserv.plugin_api import db, local_day_bounds, timezone_name, to_local, utcnow

from .conftest import build_lot

STATUSES = ("occupied", "occupied", "free", "free", "unknown", "closed")


def month_start(moment):
    return datetime(moment.year, moment.month, 1)


def add_months(moment, count):
    index = moment.year * 12 + moment.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1)


def random_batch(rng, refs, first, now, sent):
    """Readings of random spots at random minutes (some at the same instant), with copies of earlier ones."""
    batch = []
    for _ in range(rng.randint(5, 40)):
        if sent and rng.random() < 0.15:
            batch.append(rng.choice(sent))  # sent again: a duplicate
            continue
        moment = first + timedelta(minutes=rng.randrange(int((now - first).total_seconds() // 60)))
        if sent and rng.random() < 0.1:
            moment = datetime.fromisoformat(rng.choice(sent)["observed_at"])  # same instant as another reading
        if rng.random() < 0.05:
            moment = now + timedelta(minutes=rng.randint(0, 4))  # a sensor clock a little ahead
        event = {"spot": rng.choice(refs), "status": rng.choice(STATUSES), "observed_at": moment.isoformat(),
                 "event_id": f"e{rng.getrandbits(40):x}"}
        batch.append(event)
        sent.append(event)
    if batch and rng.random() < 0.2:
        batch.append(dict(batch[0]))  # twice in one batch
    return batch


def cells():
    db.session.expire_all()
    return {(row.spot_id, row.month, row.hour): (row.occupied_us, row.arrivals)
            for row in db.session.scalars(select(OccupancyCell))}


def day_cells():
    db.session.expire_all()
    return {(row.spot_id, row.day, row.hour): (row.occupied_us, row.arrivals)
            for row in db.session.scalars(select(OccupancyDay))}


def day_periods(now):
    """Local days as a lot's page asks for them: one day, a week, across month starts, up to today, ahead."""
    today = to_local(now).date()
    spans = [(today, today), (today - timedelta(days=29), today), (today - timedelta(days=1), today - timedelta(days=1)),
             (today - timedelta(days=100), today - timedelta(days=60)), (today - timedelta(days=95), today - timedelta(days=88)),
             (today + timedelta(days=1), today + timedelta(days=3))]
    return [(local_day_bounds(first)[0], local_day_bounds(last)[1]) for first, last in spans]


def assert_days_same_as_raw(territory_id, now, lot_id=None):
    for start, end in day_periods(now):
        end = min(end, now)
        if end <= start:
            continue
        assert occupancy.covers_days(start, end, now) and not occupancy.covers(start, end, now)
        stored_hours, stored_arrivals = occupancy.day_totals(territory_id, start, end, lot_id)
        raw_hours = indicators.raw_occupied_hours(territory_id, start, end, lot_id)
        for hour in set(raw_hours) | set(stored_hours):
            assert stored_hours.get(hour, 0.0) == pytest.approx(raw_hours.get(hour, 0.0), abs=1e-4), (start, end, hour)
        assert stored_arrivals == indicators.raw_arrivals(territory_id, start, end, lot_id), (start, end)
        if lot_id is None:  # the turnover indicator's SELECT counts them as the cells do
            assert db.session.scalar(select(occupancy.arrivals_expression(territory_id, start, end, now))) \
                == stored_arrivals, (start, end)


def periods(now):
    """Whole-month periods, up to a month start or to now, as dashboards and comparisons ask."""
    current = month_start(now)
    found = [(add_months(current, -k), add_months(current, -k + 1)) for k in range(0, 5)]
    found += [(add_months(current, -4), current), (add_months(current, -11), add_months(current, 1)),
              (add_months(current, -2), add_months(current, -1)), (add_months(current, 1), add_months(current, 2))]
    return found


def assert_same_as_raw(territory_id, now, lot_id=None):
    for start, end in periods(now):
        end = min(end, now)
        if end <= start:
            continue
        assert occupancy.covers(start, end, now)
        stored_hours, stored_arrivals = occupancy.totals(territory_id, start, end, lot_id)
        raw_hours = indicators.raw_occupied_hours(territory_id, start, end, lot_id)
        assert set(hour for hour, value in stored_hours.items() if abs(value) > 1e-9) <= set(raw_hours), (start, end)
        for hour in set(raw_hours) | set(stored_hours):
            # Readings fall on whole minutes (0.0167 h): any real difference is far above SQLite's julianday rounding.
            assert stored_hours.get(hour, 0.0) == pytest.approx(raw_hours.get(hour, 0.0), abs=1e-4), (start, end, hour)
        assert stored_arrivals == indicators.raw_arrivals(territory_id, start, end, lot_id), (start, end)
        if lot_id is None:
            assert db.session.scalar(select(occupancy.arrivals_expression(territory_id, start, end, now))) \
                == stored_arrivals, (start, end)
            for asked_end in (end, end + timedelta(days=40)):  # "until now" and a period not over
                assert indicators.turnover_select(territory_id, start, asked_end, now).value() \
                    == indicators.turnover(territory_id, start, asked_end, now=now), (start, asked_end)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_rollup_matches_the_raw_computation_and_a_rebuild(autun, scoped, seed):
    rng = random.Random(seed)
    lot = build_lot(autun.territory, name="Parking test", standard=4, carpool=1)
    other = build_lot(autun.territory, name="Parking visiteurs", standard=2, carpool=0)
    now = utcnow().replace(second=0, microsecond=0)
    first = add_months(month_start(now), -3) - timedelta(days=3)  # across four month starts (and a DST change)
    territory_id = autun.territory.id
    sent = {lot.device_id: [], other.device_id: []}
    refs = {lot.device_id: sorted(lot.spots), other.device_id: sorted(other.spots)}
    with scoped(autun.territory):
        for step in range(30):
            device_id = rng.choice(sorted(sent))
            ingestion.ingest(db.session.get(Device, device_id),
                             random_batch(rng, refs[device_id], first, now, sent[device_id]), now=now)
            if step == 10:  # a spot added half-way: its history starts late
                spot = Spot(lot_id=lot.lot_id, ref="S-09", device_id=lot.device_id)
                db.session.add(spot)
                db.session.commit()
                refs[lot.device_id].append("S-09")
            if step == 20:  # a spot removed: its history goes with it
                db.session.delete(db.session.get(Spot, lot.spots["S-02"]))
                db.session.commit()
                refs[lot.device_id].remove("S-02")
                sent[lot.device_id] = [event for event in sent[lot.device_id] if event["spot"] != "S-02"]
        assert_same_as_raw(territory_id, now)
        assert_same_as_raw(territory_id, now, lot.lot_id)
        assert_same_as_raw(territory_id, now, other.lot_id)
        assert_days_same_as_raw(territory_id, now)
        assert_days_same_as_raw(territory_id, now, lot.lot_id)
        assert_days_same_as_raw(territory_id, now, other.lot_id)
        # A lot's page (the last 30 local days) reads the daily cells, and gives the raw figures.
        first = to_local(now).date() - timedelta(days=29)
        start, end = page_period = local_day_bounds(first)[0], local_day_bounds(to_local(now).date())[1]
        page = indicators.lot_report(db.session.get(Lot, lot.lot_id), start, end, now)
        raw = indicators.raw_occupied_hours(territory_id, start, now, lot.lot_id)
        lot_spots = db.session.scalar(select(func.count(Spot.id)).where(Spot.lot_id == lot.lot_id))
        available = indicators._available_hours(start, now, timezone_name())
        assert page["profile"] == pytest.approx({hour: 100 * raw.get(hour, 0.0) / (hours * lot_spots)
                                                 for hour, hours in available.items()}, abs=0.051)
        assert page["arrivals"] == indicators.raw_arrivals(territory_id, start, now, lot.lot_id)
        # The public indicators read the rollup over whole months, and give the raw figures.
        start, end = add_months(month_start(now), -3), add_months(month_start(now), 1)
        spots = db.session.scalar(select(func.count(Spot.id)))
        available = indicators._available_hours(start, now, timezone_name())
        raw = indicators.raw_occupied_hours(territory_id, start, now)
        profile = indicators.occupancy_by_hour(territory_id, start, end, now=now)
        assert profile == pytest.approx({hour: 100 * raw.get(hour, 0.0) / (hours * spots)
                                         for hour, hours in available.items()}, abs=0.051)
        assert indicators.turnover(territory_id, start, end, now=now) == round(
            indicators.raw_arrivals(territory_id, start, now) / spots / ((now - start).total_seconds() / 86400), 2)
        incremental, incremental_days = cells(), day_cells()
        assert incremental and any(arrivals for _micro, arrivals in incremental.values())
        assert incremental_days and any(arrivals for _micro, arrivals in incremental_days.values())
        occupancy.rebuild(territory_id)
        db.session.commit()
        assert cells() == {key: value for key, value in incremental.items() if value != (0, 0)}
        assert day_cells() == {key: value for key, value in incremental_days.items() if value != (0, 0)}
        # Without its daily cells, the lot's page loses its figures: it reads them, not the events.
        db.session.execute(delete(OccupancyDay))
        db.session.commit()
        emptied = indicators.lot_report(db.session.get(Lot, lot.lot_id), *page_period, now)  # the page's own period
        assert emptied["arrivals"] < page["arrivals"] or sum(emptied["profile"].values()) < sum(page["profile"].values())


def test_a_rebuild_restores_the_rollup_and_open_periods_count_up_to_now(autun, scoped):
    lot = build_lot(autun.territory, name="Parking test", standard=2, carpool=0)
    now = utcnow().replace(second=0, microsecond=0)
    day = now - timedelta(days=40)
    events = [{"spot": "S-01", "status": status, "observed_at": (day + timedelta(hours=hours)).isoformat(),
               "event_id": f"r{hours}"} for hours, status in ((8, "occupied"), (10, "free"), (30, "occupied"))]
    with scoped(autun.territory):
        ingestion.ingest(db.session.get(Device, lot.device_id), events, now=now)
        kept = cells()
        db.session.execute(delete(OccupancyCell))
        db.session.commit()
        assert cells() == {}
        occupancy.rebuild()  # every territory, as `coopserv indicators rebuild` calls it
        db.session.commit()
        assert cells() == kept and sum(micro for micro, _arrivals in kept.values()) == 2 * 3_600_000_000
        # From the last reading on, S-01 stays occupied: the open period is counted up to now, not stored.
        start = month_start(day)
        hours, arrivals = occupancy.totals(autun.territory.id, start, now)
        assert sum(hours.values()) == pytest.approx(2 + (now - (day + timedelta(hours=30))).total_seconds() / 3600)
        assert arrivals == 2


def test_other_periods_are_computed_from_the_history(autun, scoped):
    now = datetime(2026, 11, 30, 12, 0)
    assert occupancy.covers(datetime(2026, 10, 1), datetime(2026, 11, 1), now)
    assert occupancy.covers(datetime(2026, 10, 1), now, now)
    assert not occupancy.covers(datetime(2026, 10, 2), datetime(2026, 11, 1), now)  # a lot page's local days
    assert not occupancy.covers(datetime(2026, 10, 1), datetime(2026, 10, 15), now)
    with scoped(autun.territory):  # Autun's local days (midnight in Paris is 23:00 UTC in winter)
        assert occupancy.covers_days(datetime(2026, 10, 1, 22), datetime(2026, 11, 14, 23), now)
        assert occupancy.covers_days(datetime(2026, 11, 29, 23), now, now)
        assert not occupancy.covers_days(datetime(2026, 11, 1), datetime(2026, 11, 14, 23), now)  # UTC midnight
        assert not occupancy.covers_days(datetime(2026, 11, 1, 23), datetime(2026, 11, 14, 12), now)


def test_a_new_time_zone_rebuilds_the_local_hours_and_days(autun, scoped, make_client):
    lot = build_lot(autun.territory, name="Parking test", standard=2, carpool=0)
    now = utcnow().replace(second=0, microsecond=0)
    day = now - timedelta(days=20)
    events = [{"spot": "S-01", "status": status, "observed_at": (day + timedelta(hours=hours)).isoformat(),
               "event_id": f"z{hours}"} for hours, status in ((7, "occupied"), (9, "free"), (20, "occupied"),
                                                               (23, "free"))]
    with scoped(autun.territory):
        ingestion.ingest(db.session.get(Device, lot.device_id), events, now=now)
        paris_hours, paris_days = cells(), day_cells()
    admin = make_client()
    admin.login(autun.admin)
    assert admin.post_form("/t/autun-morvan/admin/territory", {"timezone": "America/Cayenne"}).status_code == 302
    with scoped(autun.territory):
        db.session.refresh(autun.territory)
        # The job sent on commit rebuilt the rollup in Cayenne's hours (UTC-3), without a command.
        moved, moved_days = cells(), day_cells()
        assert moved != paris_hours and moved_days != paris_days
        local_seven = to_local(day + timedelta(hours=7), autun.territory).hour  # the first arrival, on Cayenne's clock
        assert local_seven == ((day + timedelta(hours=7)).hour - 3) % 24
        assert any(hour == local_seven and arrivals == 1 for (_spot, _month, hour), (_micro, arrivals) in moved.items())
        occupancy.rebuild(autun.territory.id)
        db.session.commit()
        assert cells() == moved and day_cells() == moved_days
        start = local_day_bounds(to_local(day).date())[0]
        hours, arrivals = occupancy.day_totals(autun.territory.id, start, now)
        raw = indicators.raw_occupied_hours(autun.territory.id, start, now)
        assert {hour: round(value, 6) for hour, value in hours.items() if value} == \
            {hour: round(value, 6) for hour, value in raw.items() if value} and arrivals == 2
