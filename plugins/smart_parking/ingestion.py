"""Sensor events in, spot statuses out: the high-volume write path of smart parking.

A batch costs a fixed number of statements whatever its size: one query for the
sensor's spots (none when an adapter just read them), one INSERT of the new events that skips event ids already seen
(``ON CONFLICT DO NOTHING ... RETURNING``), two for the occupancy rollup (the
stored neighbours of the new events, the changed cells: see ``occupancy``), one
UPDATE of the spots whose newest event is newer than their stored observation,
one UPDATE of the sensor (first: it is the batch's lock). No ORM
object is built per event. The SQL is written twice, for SQLite (``json_each``)
and PostgreSQL (``json_array_elements``), rows passed as one JSON array to both; both are
plain ``text()`` statements, so they carry the territory explicitly. (On
SQLite, ``+territory_id`` keeps the planner from scanning the JSON once per
spot of the territory instead of looking each spot up by id.)

Concurrent batches of one sensor never deadlock each other: a batch first updates its sensor's
``last_seen_at``, which locks its row (so batches of one sensor take turns; different sensors never
share spots, cells or event ids), then inserts its events sorted by id and locks the spots it changes in id order, the order
every other writer of spots can follow too. Should PostgreSQL still pick the batch as a deadlock
victim (against another writer), the whole transaction is retried: an accepted batch is never lost.
"""
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from sqlalchemy import DateTime, bindparam, select, text
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError

from coopserv.plugin_api import db, gettext, normalise_datetime, utcnow

from . import occupancy
from .models import SPOT_STATUSES, Spot
from .schemas import FUTURE_TOLERANCE


def _sqlite_time(moment):
    """Format as SQLAlchemy stores DateTime on SQLite ("2026-11-30 08:15:00.000000"): compared as text."""
    return moment.isoformat(" ", "microseconds")


_INSERT_SQLITE = text("""
    INSERT INTO smart_parking_event (territory_id, device_id, spot_id, event_id, status, observed_at, received_at)
    SELECT :territory_id, :device_id, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
           json_extract(value, '$[2]'), json_extract(value, '$[3]'), :now
    FROM json_each(:rows) WHERE true
    ON CONFLICT (device_id, event_id) DO NOTHING
    RETURNING event_id, id
""").bindparams(bindparam("now", type_=DateTime()))

_INSERT_POSTGRESQL = text("""
    INSERT INTO smart_parking_event (territory_id, device_id, spot_id, event_id, status, observed_at, received_at)
    SELECT :territory_id, :device_id, (v->>0)::integer, v->>1, v->>2, (v->>3)::timestamp, :now
    FROM json_array_elements(CAST(:rows AS json)) AS v
    ON CONFLICT (device_id, event_id) DO NOTHING
    RETURNING event_id, id
""").bindparams(bindparam("now", type_=DateTime()))

_APPLY_SQLITE = text("""
    UPDATE smart_parking_spot SET status = v.status, status_observed_at = v.observed_at
    FROM (SELECT json_extract(value, '$[0]') AS spot_id, json_extract(value, '$[1]') AS status,
                 json_extract(value, '$[2]') AS observed_at FROM json_each(:rows)) AS v
    WHERE smart_parking_spot.id = v.spot_id AND +smart_parking_spot.territory_id = :territory_id
      AND smart_parking_spot.closed_by_operator = 0
      AND (smart_parking_spot.status_observed_at IS NULL OR smart_parking_spot.status_observed_at < v.observed_at)
""")

_APPLY_POSTGRESQL = text("""
    UPDATE smart_parking_spot SET status = v.status, status_observed_at = v.observed_at
    FROM (SELECT (e->>0)::integer AS spot_id, e->>1 AS status, (e->>2)::timestamp AS observed_at
          FROM json_array_elements(CAST(:rows AS json)) AS e) AS v
    WHERE smart_parking_spot.id = v.spot_id AND smart_parking_spot.territory_id = :territory_id
      AND NOT smart_parking_spot.closed_by_operator
      AND (smart_parking_spot.status_observed_at IS NULL OR smart_parking_spot.status_observed_at < v.observed_at)
""")

_LOCK_SPOTS = text("""
    SELECT id FROM smart_parking_spot
    WHERE id IN (SELECT (e->>0)::integer FROM json_array_elements(CAST(:rows AS json)) AS e) ORDER BY id FOR UPDATE
""")
#: SQLSTATEs of a transaction PostgreSQL aborted to break a deadlock or a serialization conflict.
RETRYABLE_SQLSTATES = ("40P01", "40001")
#: How many times a batch is tried before the error reaches the caller.
ATTEMPTS = 4
log = logging.getLogger(__name__)

_TOUCH_DEVICE = text("UPDATE smart_parking_device SET last_seen_at = :now WHERE id = :device_id"
                     ).bindparams(bindparam("now", type_=DateTime()))


@dataclass
class IngestReport:
    """What happened to a batch; ``rejected`` lists each refused event with its reason."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    spots_updated: int = 0
    rejected: list = field(default_factory=list)

    def as_json(self):
        return {"received": self.received, "accepted": self.accepted, "duplicates": self.duplicates,
                "spots_updated": self.spots_updated, "rejected": self.rejected}


_STATUSES = frozenset(SPOT_STATUSES)


def parse_event(raw):
    """Check one raw event; return ((event id, spot ref, status, observed at as naive UTC), None) or (None, errors).

    Written by hand rather than with marshmallow because it runs for every
    event: a marshmallow load cost about 45 µs per event, a third of the time
    budget of 100 µs an event that 10,000 events/s allow. The rules and the
    field-level error shape are those of every other coopserv form.
    """
    if not isinstance(raw, dict):
        return None, {"_schema": [gettext("Each event must be a JSON object.")]}
    errors = {}
    spot, status, observed, event_id = raw.get("spot"), raw.get("status"), raw.get("observed_at"), raw.get("event_id")
    if spot is None or spot == "":
        errors["spot"] = [gettext("This field is required.")]
    elif not isinstance(spot, str) or len(spot) > 40:
        errors["spot"] = [gettext("Give the spot's number as text, at most 40 characters.")]
    if status is None or status == "":
        errors["status"] = [gettext("This field is required.")]
    elif not isinstance(status, str) or status not in _STATUSES:
        errors["status"] = [gettext("Choose one of: free, occupied, closed, unknown.")]
    moment = None
    if observed is None or observed == "":
        errors["observed_at"] = [gettext("This field is required.")]
    else:
        try:
            moment = normalise_datetime(datetime.fromisoformat(observed))
        except (TypeError, ValueError):
            errors["observed_at"] = [gettext("Give an ISO 8601 date and time, e.g. 2026-11-30T08:15:00Z.")]
        except ValidationError as error:
            errors["observed_at"] = error.messages
    if event_id is None or event_id == "":
        errors["event_id"] = [gettext("This field is required.")]
    elif isinstance(event_id, bool) or not isinstance(event_id, (str, int)) or len(str(event_id)) > 64:
        errors["event_id"] = [gettext("Give the event identifier as text, at most 64 characters.")]
    if errors:
        return None, errors
    return (str(event_id), spot, status, moment), None


def _checked_time(event):
    """An adapter's parsed event, its time held to the same years as every other date."""
    try:
        normalise_datetime(event[3])
    except ValidationError as error:
        return None, {"observed_at": error.messages}
    return event, None


def _rejection(index, raw, reason, errors):
    event_id = raw.get("event_id") if isinstance(raw, dict) else None
    return {"index": index, "event_id": event_id if isinstance(event_id, (str, int)) else None,
            "reason": reason, "errors": errors}


def validate_events(device, raw_events, now, parsed=False, spots=None):
    """Split raw events into valid rows (event id, spot id, status, observed at) and rejections.

    With ``parsed``, the events are already (event id, spot ref, status, observed at as naive UTC)
    tuples read by an adapter (MQTT, NGSI) that checked them: they skip ``parse_event``.
    ``spots`` ({ref: spot id} of the sensor's spots) saves reading them when the adapter just did.
    """
    if spots is None:
        spots = dict(db.session.execute(select(Spot.ref, Spot.id).where(Spot.device_id == device.id)).all())
    horizon = now + FUTURE_TOLERANCE
    rows, rejected, seen, duplicates = [], [], set(), 0
    for index, raw in enumerate(raw_events):
        event, errors = _checked_time(raw) if parsed else parse_event(raw)
        if errors:
            rejected.append(_rejection(index, raw, "invalid", errors))
            continue
        event_id, ref, status, observed_at = event
        spot_id = spots.get(ref)
        if spot_id is None:
            rejected.append(_rejection(index, raw, "unknown_spot", {"spot": [
                gettext("No spot “%(spot)s” is watched by this sensor.", spot=ref)]}))
            continue
        if observed_at > horizon:
            rejected.append(_rejection(index, raw, "in_future", {"observed_at": [
                gettext("This observation is in the future; check the sensor's clock.")]}))
            continue
        if event_id in seen:
            duplicates += 1
            continue
        seen.add(event_id)
        rows.append((event_id, spot_id, status, observed_at))
    return rows, rejected, duplicates


def ingest(device, raw_events, now=None, parsed=False, spots=None):
    """Store a sensor's events once each and move every spot to its newest observed status; commit.

    Events already seen (same device and event id) are counted as duplicates and
    change nothing; an event older than the spot's stored observation is kept in
    the history but does not change the status. A transaction aborted by a
    deadlock is retried whole (the sensor APIs, HTTP and MQTT/NGSI adapters alike,
    get the report of the attempt that committed). ``parsed``, ``spots``: see ``validate_events``.
    """
    now = now or utcnow()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _ingest_once(device, raw_events, now, parsed, spots)
        except OperationalError as error:
            if not is_retryable(error) or attempt == ATTEMPTS:
                raise
            log.warning("Sensor batch of device %s aborted by the database (%s); attempt %s of %s again",
                        device.id, getattr(error.orig, "sqlstate", "?"), attempt + 1, ATTEMPTS)
    raise AssertionError("unreachable")


def is_retryable(error):
    """Tell whether the database aborted the transaction only to break a deadlock (try again)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in RETRYABLE_SQLSTATES


def _ingest_once(device, raw_events, now, parsed, spots):
    """One attempt of ``ingest`` in one transaction; rolled back on any error."""
    try:
        # Noting that the sensor was heard is also the row lock that makes its batches take turns.
        db.session.execute(_TOUCH_DEVICE, {"now": now, "device_id": device.id})
        rows, rejected, duplicates = validate_events(device, raw_events, now, parsed, spots)
    except Exception:
        db.session.rollback()
        raise
    report = IngestReport(received=len(raw_events), rejected=rejected)
    try:
        inserted = dict(_insert_new(device, rows, now)) if rows else {}
        report.accepted = len(inserted)
        report.duplicates = duplicates + len(rows) - len(inserted)
        newest, readings = {}, defaultdict(list)
        for event_id, spot_id, status, observed_at in rows:
            if event_id in inserted:
                readings[spot_id].append((observed_at, inserted[event_id], status))
                if spot_id not in newest or observed_at >= newest[spot_id][1]:
                    newest[spot_id] = (status, observed_at)
        occupancy.record(device.territory_id, readings)
        report.spots_updated = _apply_newest(device.territory_id, newest) if newest else 0
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _postgresql():
    return db.session.get_bind().dialect.name == "postgresql"


def _insert_new(device, rows, now):
    """Insert the rows whose event id the sensor never sent; return (event id, row id) of those inserted."""
    # Sorted by event id: two batches with the same ids take their unique-index locks in one order.
    # Rows travel as one JSON text on both databases: encoded in C, where arrays cost psycopg ~1 µs a value.
    ordered = sorted(rows, key=lambda row: row[0])
    rows = orjson.dumps([[r[1], r[0], r[2], _sqlite_time(r[3])] for r in ordered]).decode()
    params = {"territory_id": device.territory_id, "device_id": device.id, "now": now, "rows": rows}
    return db.session.execute(_INSERT_POSTGRESQL if _postgresql() else _INSERT_SQLITE, params).all()


def _apply_newest(territory_id, newest):
    """One UPDATE for the whole batch: a spot changes only if the event is newer than what it shows."""
    rows = orjson.dumps([[spot_id, status, _sqlite_time(observed)]
                         for spot_id, (status, observed) in sorted(newest.items())]).decode()
    if _postgresql():
        db.session.execute(_LOCK_SPOTS, {"rows": rows})
        return db.session.execute(_APPLY_POSTGRESQL, {"territory_id": territory_id, "rows": rows}).rowcount
    return db.session.execute(_APPLY_SQLITE, {"territory_id": territory_id, "rows": rows}).rowcount
