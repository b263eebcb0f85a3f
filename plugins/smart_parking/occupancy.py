"""Occupancy rollup: occupied time and arrivals per spot, month (UTC) and local hour of day; and per local day.

Occupancy indicators used to cut every sensor event of the history into hour
buckets on each view (7-9 s for a year on the demo). This rollup stores what
they add up to, with the raw computation's definition (``indicators.raw_*``):

- a spot's events in (observed_at, id) order; each event starts a period that
  lasts until the spot's next event and counts as occupied when it says so;
- an arrival is an "occupied" event whose previous event (if any) is not.

Cells hold closed periods only (an event and its successor), cut at the local
hours of the territory's zone (as the indicators' buckets are) and at UTC month
starts. The same pieces are summed twice: per UTC month (``OccupancyCell``, for
dashboards and comparisons) and per local calendar day (``OccupancyDay``, for a
lot's page, which asks for local days). What a read adds or removes is settled from at most one event per spot
plus the events after the end of the period read: the open period after each
spot's latest event, and the part of the last month after ``end`` when ``end``
is "now". Ingestion keeps the cells in its own transaction: for a batch it
reads the stored events between the new ones' predecessor and successor on
each spot (one statement) and writes the difference (two more: months, days).
Changing a territory's time zone moves local hours and days: the rollup is
declared ``local_time``, so the core rebuilds it for that territory in a job.
"""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import orjson
from sqlalchemy import DateTime, Integer, String, and_, delete, func, or_, select, text

from coopserv.plugin_api import ALL_TERRITORIES, Rollup, Territory, db, territory_scope, to_local

from .models import OccupancyCell, OccupancyDay, SensorEvent, Spot

KEY = "smart_parking.occupancy"
OCCUPIED = "occupied"
_MICROSECOND = timedelta(microseconds=1)
_HOUR = timedelta(hours=1)
#: Cells written per statement by a rebuild.
_CHUNK = 5000
#: Cells a rebuild holds in memory before writing them (it writes after a spot's whole history).
_REBUILD_HOLD = 50_000


def _sqlite():
    return db.session.get_bind().dialect.name == "sqlite"


def _sqlite_time(moment):
    """As SQLAlchemy stores DateTime on SQLite, so that text comparisons order like times."""
    return moment.isoformat(" ", "microseconds")


def month_of(moment):
    return date(moment.year, moment.month, 1)


def next_month_start(moment):
    """Midnight (UTC) of the first day of the month after ``moment``'s."""
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1)


def is_month_start(moment):
    return moment == datetime(moment.year, moment.month, 1)


# -- cutting time into cells -----------------------------------------------------------------

def local_zone():
    """The territory's zone, looked up once per computation rather than once per hour or event."""
    return to_local(datetime(2000, 1, 1)).tzinfo


def _utc(local, zone):
    """A naive local wall time as naive UTC, exactly as ``to_utc`` reads it (fold 0)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(timezone.utc).replace(tzinfo=None)


def hour_buckets(start, end, zone=None):
    """Naive-UTC (local hour of day, start, end) buckets covering [start, end), cut at local hours."""
    return [(local.hour, bucket_start, bucket_end) for local, bucket_start, bucket_end in
            _local_hours(start, end, zone or local_zone())]


def _local_hours(start, end, zone):
    """Naive-UTC (local hour as a naive local datetime, start, end) buckets covering [start, end)."""
    buckets = []
    local = start.replace(tzinfo=timezone.utc).astimezone(zone).replace(minute=0, second=0, microsecond=0,
                                                                         tzinfo=None)
    while True:
        bucket_start = max(_utc(local, zone), start)
        following = local + timedelta(hours=1)
        bucket_end = min(_utc(following, zone), end)
        if bucket_start >= end:
            break
        if bucket_end > bucket_start:
            buckets.append((local, bucket_start, bucket_end))
        local = following
    return buckets


def pieces(start, end, zone):
    """(month, local day, local hour, microseconds) of [start, end) cut as the indicators' buckets and at month starts."""
    local = start.replace(tzinfo=timezone.utc).astimezone(zone)
    floor = start.replace(minute=0, second=0, microsecond=0)
    if end <= floor + _HOUR and not local.utcoffset() % _HOUR:
        # Within one UTC hour of a whole-hour zone: one local hour, one month (most sensor periods).
        return [(month_of(start), local.date(), local.hour, (end - start) // _MICROSECOND)]
    found = []
    for local_hour, piece_start, piece_end in _local_hours(start, end, zone):
        day, hour = local_hour.date(), local_hour.hour
        while piece_start < piece_end:
            boundary = min(piece_end, next_month_start(piece_start))
            found.append((month_of(piece_start), day, hour, (boundary - piece_start) // _MICROSECOND))
            piece_start = boundary
    return found


def add_sequence(cells, spot_id, readings, sign, after_predecessor, zone):
    """Add (``sign`` 1) or take away (-1) what consecutive readings (observed_at, id, status) contribute.

    ``after_predecessor``: the first reading is the stored predecessor of the
    others, whose own arrival depends on an event not given (left alone).
    """
    previous = None
    for reading in readings:
        observed_at, _id, status = reading
        if previous is None:
            arrived = status == OCCUPIED and not after_predecessor
        else:
            if previous[2] == OCCUPIED and observed_at > previous[0]:
                for month, day, hour, micro in pieces(previous[0], observed_at, zone):
                    cells[(spot_id, month, day, hour)][0] += sign * micro
            arrived = status == OCCUPIED and previous[2] != OCCUPIED
        if arrived:
            local = observed_at.replace(tzinfo=timezone.utc).astimezone(zone)
            cells[(spot_id, month_of(observed_at), local.date(), local.hour)][1] += sign
        previous = reading


# -- ingestion: the batch's difference ---------------------------------------------------------

_WINDOW = """
    SELECT e.spot_id, e.observed_at, e.id, e.status FROM v
    JOIN smart_parking_event e ON e.spot_id = v.spot_id AND e.observed_at >= v.lo AND e.observed_at <= v.hi
    WHERE e.territory_id = :territory_id
    UNION ALL
    SELECT e.spot_id, e.observed_at, e.id, e.status FROM smart_parking_event e WHERE e.id IN (
        SELECT (SELECT p.id FROM smart_parking_event p WHERE p.spot_id = v.spot_id AND p.observed_at < v.lo
                ORDER BY p.observed_at DESC, p.id DESC LIMIT 1) FROM v
        UNION ALL
        SELECT (SELECT n.id FROM smart_parking_event n WHERE n.spot_id = v.spot_id AND n.observed_at > v.hi
                ORDER BY n.observed_at, n.id LIMIT 1) FROM v)
"""
_WINDOW_SQLITE = text("""
    WITH v AS (SELECT json_extract(value, '$[0]') AS spot_id, json_extract(value, '$[1]') AS lo,
                      json_extract(value, '$[2]') AS hi FROM json_each(:spans))
""" + _WINDOW).columns(spot_id=Integer, observed_at=DateTime, id=Integer, status=String)
# PostgreSQL estimates the filter on the territory to match one row before the table is analysed,
# and then scanned every event of the territory once per spot of the batch (1.9 s for 30,000 events):
# LATERAL makes each spot of the batch one range scan (and two one-row scans) of the (spot, time) index
# (OFFSET 0 keeps PostgreSQL from flattening the first one back into the same join).
_WINDOW_POSTGRESQL = text("""
    WITH v AS (SELECT (e->>0)::integer AS spot_id, (e->>1)::timestamp AS lo, (e->>2)::timestamp AS hi
               FROM json_array_elements(CAST(:spans AS json)) AS e)
    SELECT w.spot_id, w.observed_at, w.id, w.status FROM v CROSS JOIN LATERAL (
        SELECT e.spot_id, e.observed_at, e.id, e.status FROM smart_parking_event e
        WHERE e.spot_id = v.spot_id AND e.observed_at >= v.lo AND e.observed_at <= v.hi
          AND e.territory_id = :territory_id OFFSET 0) AS w
    UNION ALL
    SELECT p.spot_id, p.observed_at, p.id, p.status FROM v CROSS JOIN LATERAL (
        SELECT e.spot_id, e.observed_at, e.id, e.status FROM smart_parking_event e
        WHERE e.spot_id = v.spot_id AND e.observed_at < v.lo
        ORDER BY e.observed_at DESC, e.id DESC LIMIT 1) AS p
    UNION ALL
    SELECT n.spot_id, n.observed_at, n.id, n.status FROM v CROSS JOIN LATERAL (
        SELECT e.spot_id, e.observed_at, e.id, e.status FROM smart_parking_event e
        WHERE e.spot_id = v.spot_id AND e.observed_at > v.hi
        ORDER BY e.observed_at, e.id LIMIT 1) AS n
""").columns(spot_id=Integer, observed_at=DateTime, id=Integer, status=String)



def _upserts(table, period):
    """The SQLite and PostgreSQL statements adding cells' differences to ``table``, whose period column is ``period``."""
    tail = f"""
        ON CONFLICT (spot_id, {period}, hour) DO UPDATE
        SET occupied_us = {table}.occupied_us + excluded.occupied_us, arrivals = {table}.arrivals + excluded.arrivals
    """
    sqlite = text(f"""
        INSERT INTO {table} (territory_id, spot_id, {period}, hour, occupied_us, arrivals)
        SELECT :territory_id, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
               json_extract(value, '$[3]'), json_extract(value, '$[4]')
        FROM json_each(:cells) WHERE true
    """ + tail)
    postgresql = text(f"""
        INSERT INTO {table} (territory_id, spot_id, {period}, hour, occupied_us, arrivals)
        SELECT :territory_id, (v->>0)::integer, (v->>1)::date, (v->>2)::integer, (v->>3)::bigint, (v->>4)::integer
        FROM json_array_elements(CAST(:cells AS json)) AS v
    """ + tail)
    return sqlite, postgresql


_UPSERT_MONTHS = _upserts("smart_parking_occupancy", "month")
_UPSERT_DAYS = _upserts("smart_parking_occupancy_day", "day")


def record(territory_id, inserted):
    """Add events just inserted ({spot id: [(observed_at, id, status)]}) to the rollup, in the caller's transaction."""
    if not inserted:
        return
    spans = {spot_id: (min(readings)[0], max(readings)[0]) for spot_id, readings in inserted.items()}
    stored = _window(territory_id, spans)
    cells = defaultdict(lambda: [0, 0])
    zone = local_zone()
    for spot_id, new in inserted.items():
        new_ids = {reading[1] for reading in new}
        merged = sorted(stored.get(spot_id, ()))
        after_predecessor = bool(merged) and merged[0][0] < spans[spot_id][0]
        add_sequence(cells, spot_id, [reading for reading in merged if reading[1] not in new_ids], -1,
                     after_predecessor, zone)
        add_sequence(cells, spot_id, merged, 1, after_predecessor, zone)
    write_cells(territory_id, cells)


def _window(territory_id, spans):
    """Stored events of each spot from the last one before ``lo`` to the first one after ``hi`` (new ones included)."""
    spans = orjson.dumps([[spot_id, _sqlite_time(lo), _sqlite_time(hi)]
                          for spot_id, (lo, hi) in sorted(spans.items())]).decode()
    rows = db.session.execute(_WINDOW_SQLITE if _sqlite() else _WINDOW_POSTGRESQL,
                              {"territory_id": territory_id, "spans": spans})
    found = defaultdict(set)
    for spot_id, observed_at, event_id, status in rows:
        found[spot_id].add((observed_at, event_id, status))
    return found


def write_cells(territory_id, cells):
    """Add the differences of cells {(spot, month, day, hour): [µs, arrivals]} to the monthly and the daily sums."""
    months, days = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for (spot_id, month, day, hour), (micro, arrived) in cells.items():
        for total, key in ((months, (spot_id, month, hour)), (days, (spot_id, day, hour))):
            total[key][0] += micro
            total[key][1] += arrived
    _write(territory_id, months, _UPSERT_MONTHS)
    _write(territory_id, days, _UPSERT_DAYS)


def _write(territory_id, cells, statements):
    """One statement per chunk, in a fixed order (concurrent batches lock shared cells alike: no deadlock)."""
    rows = sorted((key, value) for key, value in cells.items() if value[0] or value[1])
    statement = statements[0] if _sqlite() else statements[1]
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        cells_json = orjson.dumps([[spot_id, period.isoformat(), hour, micro, arrivals]
                                   for (spot_id, period, hour), (micro, arrivals) in chunk]).decode()
        db.session.execute(statement, {"territory_id": territory_id, "cells": cells_json})


# -- rebuild -------------------------------------------------------------------------------------

def rebuild(territory_id=None):
    """Recompute the cells of every territory (or one) from the whole event history; the caller commits."""
    query = select(Territory).order_by(Territory.id).execution_options(**{ALL_TERRITORIES: True})
    if territory_id is not None:
        query = query.where(Territory.id == territory_id)
    for territory in db.session.scalars(query).all():
        with territory_scope(territory):
            _rebuild_territory(territory.id)


def _rebuild_territory(territory_id):
    for model in (OccupancyCell, OccupancyDay):
        db.session.execute(delete(model).where(model.territory_id == territory_id)
                           .execution_options(synchronize_session=False))
    cells = defaultdict(lambda: [0, 0])
    zone = local_zone()
    rows = db.session.execute(
        select(SensorEvent.spot_id, SensorEvent.observed_at, SensorEvent.id, SensorEvent.status)
        .where(SensorEvent.territory_id == territory_id)
        .order_by(SensorEvent.spot_id, SensorEvent.observed_at, SensorEvent.id)
        .execution_options(yield_per=20_000))
    spot_id, readings = None, []
    for row in rows:
        if row[0] != spot_id:
            add_sequence(cells, spot_id, readings, 1, False, zone)
            spot_id, readings = row[0], []
            if len(cells) >= _REBUILD_HOLD:  # spots never share cells: what is summed so far is final
                write_cells(territory_id, cells)
                cells.clear()
        readings.append((row[1], row[2], row[3]))
    add_sequence(cells, spot_id, readings, 1, False, zone)
    write_cells(territory_id, cells)


ROLLUP = Rollup(KEY, rebuild, version="2", local_time=True)


# -- reading -------------------------------------------------------------------------------------

def covers(start, end, now):
    """Whether the monthly cells answer for [start, end): whole months from ``start``, up to a month start or now."""
    return is_month_start(start) and (is_month_start(end) or end >= now)


def is_local_midnight(moment, zone=None):
    """Whether a stored (naive UTC) instant starts a local day."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(zone or local_zone())
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def covers_days(start, end, now):
    """Whether the daily cells answer for [start, end): local days from ``start``, up to a local midnight or now."""
    zone = local_zone()
    return is_local_midnight(start, zone) and (end >= now or is_local_midnight(end, zone))


def stored_totals(territory_id, start, end, now, lot_id=None):
    """``totals`` or ``day_totals`` when the rollup answers for [start, end), else None (the caller reads events)."""
    if covers(start, end, now):
        return totals(territory_id, start, end, lot_id)
    if covers_days(start, end, now):
        return day_totals(territory_id, start, end, lot_id)
    return None


def _month_span(start, end):
    """The monthly cells of [start, end) (model, period column, first and last period) and where the last ends if after ``end``."""
    last_month = month_of(end - _MICROSECOND)
    cells = (OccupancyCell, OccupancyCell.month, month_of(start), last_month)
    return cells, None if is_month_start(end) else next_month_start(last_month)


def _day_span(start, end):
    """The daily cells of [start, end) and where the last local day ends if after ``end``."""
    zone = local_zone()
    first_day = start.replace(tzinfo=timezone.utc).astimezone(zone).date()
    last_day = (end - _MICROSECOND).replace(tzinfo=timezone.utc).astimezone(zone).date()
    following = _utc(datetime.combine(last_day + timedelta(days=1), datetime.min.time()), zone)
    return (OccupancyDay, OccupancyDay.day, first_day, last_day), None if end == following else following


def totals(territory_id, start, end, lot_id=None):
    """Occupied hours by local hour of day, and arrivals, over [start, end) (see ``covers``).

    Three statements whatever the history: the cells, each spot's latest event,
    and only when events follow ``end`` (observations stamped a little ahead of
    now), those events with each such spot's last one before ``end``.
    """
    return _totals(territory_id, start, end, lot_id, *_month_span(start, end))


def day_totals(territory_id, start, end, lot_id=None):
    """The same over local days [start, end) (see ``covers_days``), from the daily cells."""
    return _totals(territory_id, start, end, lot_id, *_day_span(start, end))


def arrivals_expression(territory_id, start, end, now):
    """Arrivals over [start, end) as an SQL expression naming the territory, when the cells answer (else None).

    What ``totals``/``day_totals`` count, in SQL: the cells' arrivals, less
    those the last cell period holds after ``end`` (an "occupied" event there
    whose previous event, in (observed_at, id) order, is not "occupied").
    """
    if covers(start, end, now):
        cells, period_end = _month_span(start, end)
    elif covers_days(start, end, now):
        cells, period_end = _day_span(start, end)
    else:
        return None
    model, period, first, last = cells
    counted = (select(func.coalesce(func.sum(model.arrivals), 0)).join(Spot, Spot.id == model.spot_id)
               .where(Spot.territory_id == territory_id, model.territory_id == territory_id, period >= first,
                      period <= last).scalar_subquery())
    if period_end is None:
        return counted
    event, before = SensorEvent.__table__.alias("arrival"), SensorEvent.__table__.alias("before_arrival")
    previous_status = (
        select(before.c.status)
        .where(before.c.spot_id == event.c.spot_id,
               or_(before.c.observed_at < event.c.observed_at,
                   and_(before.c.observed_at == event.c.observed_at, before.c.id < event.c.id)))
        .order_by(before.c.observed_at.desc(), before.c.id.desc()).limit(1).correlate(event).scalar_subquery())
    after_end = (select(func.count()).select_from(event).join(Spot, Spot.id == event.c.spot_id)
                 .where(Spot.territory_id == territory_id, event.c.territory_id == territory_id,
                        event.c.observed_at >= end, event.c.observed_at < period_end, event.c.status == OCCUPIED,
                        func.coalesce(previous_status, "") != OCCUPIED).scalar_subquery())
    return counted - after_end


def _totals(territory_id, start, end, lot_id, cells, period_end):
    """Sum the cells (model, period column, first and last period) and settle the open periods.

    ``period_end``: where the last cell period ends when that is after ``end``
    (what those cells hold after ``end`` is taken away), else None.
    """
    model, period, first, last = cells
    spot_filter = Spot.territory_id == territory_id
    if lot_id is not None:
        spot_filter = and_(spot_filter, Spot.lot_id == lot_id)
    micro, arrivals = defaultdict(int), 0
    for hour, occupied, arrived in db.session.execute(
            select(model.hour, func.sum(model.occupied_us), func.sum(model.arrivals))
            .join(Spot, Spot.id == model.spot_id)
            .where(spot_filter, model.territory_id == territory_id, period >= first, period <= last)
            .group_by(model.hour)):
        micro[int(hour)] += int(occupied or 0)
        arrivals += int(arrived or 0)
    latest = db.session.execute(
        select(SensorEvent.spot_id, SensorEvent.observed_at, SensorEvent.status)
        .where(SensorEvent.id.in_(select(_last_event_id()).where(spot_filter)))).all()
    tails = [max(observed_at, start) for _spot, observed_at, status in latest
             if observed_at < end and status == OCCUPIED]
    zone = local_zone()
    for hour, value in _tail_micro(tails, end, zone).items():
        micro[hour] += value
    later = sorted(spot_id for spot_id, observed_at, _status in latest if observed_at >= end)
    if later and period_end is not None:
        removed, departed = _after_end(later, end, period_end, zone)
        for hour, value in removed.items():
            micro[hour] -= value
        arrivals -= departed
    return {hour: value / 3_600_000_000 for hour, value in micro.items()}, arrivals


def _last_event_id(before=None):
    """The id of a spot's last event (before ``before``), correlated to ``Spot`` only."""
    events = SensorEvent.__table__.alias("last_event")
    query = select(events.c.id).where(events.c.spot_id == Spot.id)
    if before is not None:
        query = query.where(events.c.observed_at < before)
    return (query.order_by(events.c.observed_at.desc(), events.c.id.desc()).limit(1)
            .correlate(Spot).scalar_subquery())


def _tail_micro(starts, end, zone):
    """Microseconds by local hour of the periods [start, end) for each start: one sweep back from ``end``."""
    total, running, edge = defaultdict(int), defaultdict(int), end
    for start in sorted(starts, reverse=True):
        if start < edge:
            for _month, _day, hour, micro in pieces(start, edge, zone):
                running[hour] += micro
            edge = start
        for hour, micro in running.items():
            total[hour] += micro
    return total


def _after_end(spot_ids, end, month_end, zone):
    """What the cells of the last period (month or day, ending at ``month_end``) hold after ``end``, for spots with events after it."""
    rows = db.session.execute(
        select(SensorEvent.spot_id, SensorEvent.observed_at, SensorEvent.id, SensorEvent.status)
        .where(SensorEvent.spot_id.in_(spot_ids),
               or_(SensorEvent.observed_at >= end,
                   SensorEvent.id.in_(select(_last_event_id(end)).where(Spot.id.in_(spot_ids)))))).all()
    by_spot = defaultdict(list)
    for spot_id, observed_at, event_id, status in rows:
        by_spot[spot_id].append((observed_at, event_id, status))
    cells = defaultdict(lambda: [0, 0])
    for spot_id, readings in by_spot.items():
        readings.sort()
        previous = None
        for reading in readings:
            if previous is not None and previous[2] == OCCUPIED:
                low, high = max(previous[0], end), min(reading[0], month_end)
                if low < high:
                    for _month, _day, hour, micro in pieces(low, high, zone):
                        cells[hour][0] += micro
            if end <= reading[0] < month_end and reading[2] == OCCUPIED and (
                    previous is None or previous[2] != OCCUPIED):
                cells[None][1] += 1
            previous = reading
    departed = cells.pop(None, [0, 0])[1]
    return {hour: value[0] for hour, value in cells.items()}, departed
