"""Realistic sensor traffic for a lot, replayed through the same ingestion path as the API.

The traffic can be sent in three forms: coopserv's own events (as the sensor
API receives them), FIWARE notifications (NGSI-v2 or NGSI-LD, read by the same
code as Orion's), or MQTT messages published to a broker in the shape of the
lot's MQTT mapping (for ``coopserv parking mqtt`` to pick up).

A working day on a company car park: cars arrive in the morning (around 8:00),
about a third leave for lunch and most come back, a few visitors take a spot in
the afternoon, everybody leaves in the evening (around 17:30). Sensors report
each change and repeat the current status every few minutes (a heartbeat),
which is what keeps a spot from being marked unknown.
"""
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import to_utc

from coopserv.plugin_api import local_today, utcnow

from .ingestion import ingest
from .observations import default_spot_ngsi_id, lot_ngsi_id

FORMS = ("own", "ngsi-v2", "ngsi-ld", "mqtt")


def _at(day, minutes):
    """The naive UTC instant of ``minutes`` after local midnight of ``day``."""
    return to_utc(datetime.combine(day, time()) + timedelta(minutes=minutes)).replace(tzinfo=None)


def _spot_day(rng):
    """Change points (minutes after midnight, status) of one spot over one working day."""
    if rng.random() > 0.88:  # nobody parks here today
        return []
    arrive = min(max(rng.gauss(8 * 60, 35), 6 * 60 + 30), 10 * 60 + 30)
    leave = min(max(rng.gauss(17 * 60 + 30, 45), 15 * 60 + 30), 20 * 60)
    changes = [(arrive, "occupied")]
    if rng.random() < 0.33:  # lunch outside
        out = rng.uniform(12 * 60, 12 * 60 + 45)
        changes.append((out, "free"))
        if rng.random() < 0.85:
            changes.append((rng.uniform(13 * 60 + 15, 14 * 60), "occupied"))
        elif rng.random() < 0.5:  # a visitor takes the spot for the afternoon
            changes.append((rng.uniform(14 * 60, 15 * 60), "occupied"))
    changes.append((leave, "free"))
    return changes


def traffic(spot_refs, first_day, days=1, seed=1, heartbeat_minutes=10, hours=(6, 20)):
    """Yield events ``{spot, status, observed_at, event_id}`` in observation order, day after day."""
    rng = random.Random(seed)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        stamp = day.strftime("%Y%m%d")
        events = []
        for ref in spot_refs:
            changes = _spot_day(rng)
            status, sequence = "free", 0
            points = [(minute, new) for minute, new in changes if hours[0] * 60 <= minute < hours[1] * 60]
            beat = hours[0] * 60 + rng.uniform(0, heartbeat_minutes or 1)
            while points or (heartbeat_minutes and beat < hours[1] * 60):
                if points and (not heartbeat_minutes or points[0][0] <= beat):
                    minute, status = points.pop(0)
                else:
                    minute = beat
                    beat += heartbeat_minutes
                sequence += 1
                events.append((_at(day, minute), ref, status, f"{ref}-{stamp}-{sequence}"))
        events.sort()
        for observed_at, ref, status, event_id in events:
            yield {"spot": ref, "status": status, "observed_at": observed_at.isoformat() + "Z", "event_id": event_id}


def days_needed(spot_count, events, heartbeat_minutes=10, hours=(6, 20)):
    """Working days of traffic that give at least ``events`` events (a rough upper estimate)."""
    per_spot_day = (hours[1] - hours[0]) * 60 / heartbeat_minutes if heartbeat_minutes else 3
    return max(1, int(events / max(1, spot_count * per_spot_day * 0.98)) + 1)


def notification(events, form, spot_ids, site_id):
    """An Orion (NGSI-v2, normalized) or NGSI-LD (normalized) notification carrying the events as ParkingSpot entities."""
    if form == "ngsi-v2":
        entities = [{"id": spot_ids[event["spot"]], "type": "ParkingSpot",
                     "status": {"type": "Text", "value": event["status"],
                                "metadata": {"timestamp": {"type": "DateTime", "value": event["observed_at"]}}},
                     "refParkingSite": {"type": "Relationship", "value": site_id}} for event in events]
        return {"subscriptionId": "coopserv-simulator", "data": entities}
    entities = [{"id": spot_ids[event["spot"]], "type": "ParkingSpot",
                 "status": {"type": "Property", "value": event["status"], "observedAt": event["observed_at"]},
                 "refParkingSite": {"type": "Relationship", "object": site_id}} for event in events]
    return {"id": "urn:ngsi-ld:Notification:coopserv-simulator", "type": "Notification",
            "subscriptionId": "urn:ngsi-ld:Subscription:coopserv-simulator", "notifiedAt": utcnow().isoformat() + "Z",
            "data": entities}


@dataclass
class SimulationReport:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0


def _sender(lot, form, publish):
    """The function sending one sensor's buffered events in the chosen form; returns (accepted, duplicates, rejected)."""
    if form == "own":
        def send(device, events):
            result = ingest(device, events)
            return result.accepted, result.duplicates, len(result.rejected)
        return send
    if form in ("ngsi-v2", "ngsi-ld"):
        from .ngsi import receive_notification

        slug = lot.territory.slug
        spot_ids = {spot.ref: spot.ngsi_id or default_spot_ngsi_id(slug, spot.id) for spot in lot.spots}
        site_id = lot_ngsi_id(slug, lot.id, lot.ngsi_id)

        def send(device, events):
            result = receive_notification(notification(events, form, spot_ids, site_id), lot_id=lot.id)
            return result["accepted"], result["duplicates"], result["rejected"]
        return send
    from .mqtt import Rule, message_for
    from .services import lot_mqtt_mappings

    mapping = next((item for item in lot_mqtt_mappings(lot) if item.active), None)
    if mapping is None or publish is None:
        raise ValueError("This car park has no MQTT mapping to shape the messages (or no broker was given).")
    rule = Rule.of(mapping)
    keys = {spot.ref: spot.sensor_id if rule.match == "sensor_id" else spot.ref for spot in lot.spots}
    if rule.match == "sensor_id" and not all(keys.values()):
        raise ValueError("Give every spot its sensor identifier first: the MQTT mapping finds spots by it.")

    def send(device, events):
        for event in events:
            publish(*message_for(rule, keys[event["spot"]], event))
        return 0, 0, 0
    return send


def simulate(lot, events=1000, batch_size=500, seed=1, heartbeat_minutes=10, last_day=None, hours=(6, 20),
             days=None, form="own", publish=None, window_minutes=15):
    """Replay ``events`` events of recent working days on the lot's sensors, as they would send them.

    Each sensor buffers its events and sends a batch every ``window_minutes``
    simulated minutes (or when the buffer is full), like a LoRaWAN gateway. ``form`` is one of
    FORMS; for "mqtt", ``publish(topic, payload)`` sends a message. Returns a
    SimulationReport (MQTT counts only what was sent: the subscriber stores it).
    """
    watched = {spot.ref: spot.device for spot in lot.spots if spot.device is not None and spot.device.active}
    if not watched:
        raise ValueError("This car park has no active sensor watching a spot.")
    send = _sender(lot, form, publish)
    last_day = last_day or (local_today() - timedelta(days=1))
    days = days or days_needed(len(watched), events, heartbeat_minutes, hours)
    first_day = last_day - timedelta(days=days - 1)
    report = SimulationReport()
    buffers = defaultdict(list)
    window_end = None

    def flush(device):
        accepted, duplicates, rejected = send(device, buffers.pop(device.id))
        report.batches += 1
        report.accepted += accepted
        report.duplicates += duplicates
        report.rejected += rejected

    devices = {device.id: device for device in watched.values()}
    for event in traffic(sorted(watched), first_day, days, seed, heartbeat_minutes, hours):
        if report.sent >= events:
            break
        observed = datetime.fromisoformat(event["observed_at"].rstrip("Z"))
        if window_end is None or observed >= window_end:
            for device_id in list(buffers):
                flush(devices[device_id])
            window_end = observed + timedelta(minutes=window_minutes)
        device = watched[event["spot"]]
        buffers[device.id].append(event)
        report.sent += 1
        if len(buffers[device.id]) >= batch_size:
            flush(device)
    for device_id in list(buffers):
        flush(devices[device_id])
    return report
