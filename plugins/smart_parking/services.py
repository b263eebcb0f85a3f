"""The one place that writes lots, spots, sensors and reservations, and the queries their pages use.

Sensor events have their own write path in ``ingestion.py``: it is built for volume.
"""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from marshmallow import ValidationError
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from coopserv.plugin_api import (
    ServiceRequest,
    apply_transition,
    db,
    gettext,
    local_date_of,
    plugin_host,
    utcnow,
)

from .models import HOLDING_STATUSES, Device, Lot, MqttMapping, NgsiSubscription, Reservation, SensorEvent, Spot

SERVICE_KEY = "smart_parking"
KEY_PREFIX = "spk_"
#: A car seen this long before the start counts as the reservation's holder arriving early.
EARLY_ARRIVAL = timedelta(minutes=30)


# -- sensors' keys ------------------------------------------------------------

def hash_key(key):
    """Hash a sensor key for storage and lookup (keys are random 256-bit tokens)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key():
    return KEY_PREFIX + secrets.token_urlsafe(32)


def device_for_key(key):
    """Return the active sensor of the current territory owning ``key``, or None."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    return db.session.scalar(select(Device).where(Device.key_hash == hash_key(key), Device.active.is_(True)))


# -- lots, spots, sensors -------------------------------------------------------

def list_lots(active_only=False):
    query = select(Lot).order_by(Lot.name)
    if active_only:
        query = query.where(Lot.active.is_(True))
    return db.session.scalars(query).all()


def get_lot(lot_id):
    return db.session.scalar(select(Lot).where(Lot.id == lot_id))


def lot_for_kiosk(token):
    return db.session.scalar(select(Lot).where(Lot.kiosk_token == token, Lot.active.is_(True)))


def lot_with_equipment(lot_id):
    """A lot with its spots and sensors, in three queries."""
    return db.session.scalar(
        select(Lot).where(Lot.id == lot_id).options(selectinload(Lot.spots), selectinload(Lot.devices))
    )


def _check_lot_ngsi_id_free(data, lot_id=None):
    """A car park's NGSI id names one car park of the territory only (its spots' notifications rely on it)."""
    if not data.get("ngsi_id"):
        return
    owner = db.session.scalar(select(Lot.name).where(Lot.ngsi_id == data["ngsi_id"], Lot.id != (lot_id or 0)))
    if owner is not None:
        raise ValidationError({"ngsi_id": [gettext("The car park %(lot)s already has this identifier.", lot=owner)]})


def create_lot(data):
    _check_lot_ngsi_id_free(data)
    lot = Lot(kiosk_token=secrets.token_urlsafe(24), **data)
    db.session.add(lot)
    db.session.commit()
    return lot


def update_lot(lot, data):
    _check_lot_ngsi_id_free(data, lot.id)
    for name, value in data.items():
        setattr(lot, name, value)
    db.session.commit()
    return lot


def create_device(lot, data):
    """Add a sensor; return it with its key, which is shown once and never stored."""
    key = _new_key()
    device = Device(lot_id=lot.id, name=data["name"], key_hash=hash_key(key), key_hint=key[-4:])
    db.session.add(device)
    db.session.commit()
    return device, key


def renew_device_key(device):
    """Give a sensor a new key (the old one stops working at once); return the new key."""
    key = _new_key()
    device.key_hash, device.key_hint, device.active = hash_key(key), key[-4:], True
    db.session.commit()
    return key


def set_device_active(device, active):
    device.active = active
    db.session.commit()


def _check_device(lot, device_id):
    if device_id is None:
        return
    found = db.session.scalar(select(Device.id).where(Device.id == device_id, Device.lot_id == lot.id))
    if found is None:
        raise ValidationError({"device_id": [gettext("Choose a sensor of this car park.")]})


def _check_refs_free(lot, refs, field_name):
    taken = db.session.scalars(select(Spot.ref).where(Spot.lot_id == lot.id, Spot.ref.in_(refs))).all()
    if taken:
        raise ValidationError({field_name: [gettext("These spots already exist: %(refs)s.",
                                                    refs=", ".join(sorted(taken)))]})


def _check_external_ids_free(data, spot_id=None):
    """An NGSI id or a sensor identifier names one spot of the territory only."""
    errors = {}
    for name, column in (("ngsi_id", Spot.ngsi_id), ("sensor_id", Spot.sensor_id)):
        if not data.get(name):
            continue
        same = column == data[name] if name == "ngsi_id" else func.lower(column) == data[name].lower()
        owner = db.session.scalar(select(Spot.ref).where(same, Spot.id != (spot_id or 0)))
        if owner is not None:
            errors[name] = [gettext("Spot %(spot)s already has this identifier.", spot=owner)]
    if errors:
        raise ValidationError(errors)


def create_spot(lot, data):
    _check_device(lot, data.get("device_id"))
    _check_refs_free(lot, [data["ref"]], "ref")
    _check_external_ids_free(data)
    spot = Spot(lot_id=lot.id, **data)
    db.session.add(spot)
    db.session.commit()
    return spot


def create_spot_range(lot, data):
    """Add numbered spots (A-01 … A-40), each with its own sensor if asked; return the new keys."""
    width = max(2, len(str(data["first_number"] + data["count"] - 1)))
    refs = [f"{data['prefix']}{number:0{width}d}"
            for number in range(data["first_number"], data["first_number"] + data["count"])]
    _check_refs_free(lot, refs, "count")
    keys = []
    for ref in refs:
        spot = Spot(lot_id=lot.id, ref=ref, category=data["category"])
        if data["one_sensor_per_spot"]:
            key = _new_key()
            spot.device = Device(lot_id=lot.id, name=gettext("Sensor %(ref)s", ref=ref), key_hash=hash_key(key),
                                 key_hint=key[-4:])
            keys.append((spot.device.name, key))
        db.session.add(spot)
    db.session.commit()
    return keys


def update_spot(spot, data):
    _check_device(spot.lot, data.get("device_id"))
    if data["ref"] != spot.ref:
        _check_refs_free(spot.lot, [data["ref"]], "ref")
    _check_external_ids_free(data, spot.id)
    for name, value in data.items():
        setattr(spot, name, value)
    db.session.commit()
    return spot


def set_spot_closed(spot, closed):
    """Close a spot for works or an event, or reopen it; sensors do not override a closure."""
    spot.closed_by_operator = closed
    if closed:
        spot.status = "closed"
    else:
        spot.status = "unknown" if spot.device_id else "free"
    db.session.commit()


def import_spot_ids(lot, rows):
    """Give spots of the lot their NGSI ids and sensor identifiers, all lines or none; return how many changed.

    ``rows`` are loaded ``SpotIdsSchema`` dicts; a blank id leaves the spot's
    current one alone. Errors are reported by line number (from 1).
    """
    spots = {spot.ref: spot for spot in db.session.scalars(select(Spot).where(Spot.lot_id == lot.id))}
    errors, claimed = {}, {}
    for line, row in enumerate(rows, start=1):
        if row["ref"] not in spots:
            errors[str(line)] = {"ref": [gettext("No spot “%(spot)s” in this car park.", spot=row["ref"])]}
            continue
        for name in ("ngsi_id", "sensor_id"):
            if row.get(name) and claimed.setdefault((name, row[name]), row["ref"]) != row["ref"]:
                errors.setdefault(str(line), {})[name] = [
                    gettext("Spot %(spot)s already has this identifier.", spot=claimed[(name, row[name])])]
    for name, column in (("ngsi_id", Spot.ngsi_id), ("sensor_id", Spot.sensor_id)):
        values = [value for (kind, value) in claimed if kind == name]
        # A spot of this lot given another value in the same import lets go of its current one.
        moving = {row["ref"] for row in rows if row.get(name) and row["ref"] in spots}
        for start in range(0, len(values), 500):
            for holder_lot, holder, value in db.session.execute(select(Spot.lot_id, Spot.ref, column).where(
                    column.in_(values[start:start + 500]))):
                if holder_lot == lot.id and (holder == claimed[(name, value)] or holder in moving):
                    continue
                line = next(number for number, row in enumerate(rows, start=1) if row.get(name) == value)
                errors.setdefault(str(line), {})[name] = [
                    gettext("Spot %(spot)s already has this identifier.", spot=holder)]
    if errors:
        raise ValidationError({"lines": errors})
    changed = [(spots[row["ref"]], name, row[name]) for row in rows for name in ("ngsi_id", "sensor_id")
               if row.get(name) and getattr(spots[row["ref"]], name) != row[name]]
    for spot, name, _value in changed:  # let go first: two spots may swap identifiers
        setattr(spot, name, None)
    db.session.flush()
    for spot, name, value in changed:
        setattr(spot, name, value)
    db.session.commit()
    return len(changed)


# -- feeds in: Orion subscriptions and MQTT mappings -----------------------------

SUBSCRIPTION_KEY_PREFIX = "ngsi_"


def create_subscription(data):
    """Declare an Orion subscription; return it with its key, shown once and never stored."""
    if data.get("lot_id") is not None and get_lot(data["lot_id"]) is None:
        raise ValidationError({"lot_id": [gettext("Choose one of the car parks.")]})
    key = SUBSCRIPTION_KEY_PREFIX + secrets.token_urlsafe(32)
    subscription = NgsiSubscription(key_hash=hash_key(key), key_hint=key[-4:], **data)
    db.session.add(subscription)
    db.session.commit()
    return subscription, key


def subscription_for_key(key):
    """Return the active Orion subscription of the current territory owning ``key``, or None."""
    if not key or not key.startswith(SUBSCRIPTION_KEY_PREFIX) or len(key) > 100:
        return None
    return db.session.scalar(select(NgsiSubscription).where(NgsiSubscription.key_hash == hash_key(key),
                                                            NgsiSubscription.active.is_(True)))


def list_subscriptions():
    return db.session.scalars(select(NgsiSubscription).options(selectinload(NgsiSubscription.lot))
                              .order_by(NgsiSubscription.name)).all()


def get_subscription(subscription_id):
    return db.session.scalar(select(NgsiSubscription).where(NgsiSubscription.id == subscription_id))


def delete_subscription(subscription):
    db.session.delete(subscription)
    db.session.commit()


def subscription_notified(subscription_id, now):
    db.session.execute(update(NgsiSubscription).where(NgsiSubscription.id == subscription_id)
                       .values(last_notified_at=now).execution_options(synchronize_session=False))
    db.session.commit()


def create_mqtt_mapping(lot, data):
    mapping = MqttMapping(lot_id=lot.id, **data)
    db.session.add(mapping)
    db.session.commit()
    return mapping


def get_mqtt_mapping(mapping_id):
    return db.session.scalar(select(MqttMapping).where(MqttMapping.id == mapping_id))


def lot_mqtt_mappings(lot):
    return db.session.scalars(select(MqttMapping).where(MqttMapping.lot_id == lot.id).order_by(MqttMapping.id)).all()


def delete_mqtt_mapping(mapping):
    db.session.delete(mapping)
    db.session.commit()


# -- availability ----------------------------------------------------------------

@dataclass
class Counts:
    """Spots of a lot (or of one category) by what a driver can do with them now."""

    total: int = 0
    free: int = 0
    occupied: int = 0
    reserved: int = 0
    closed: int = 0
    unknown: int = 0

    @property
    def in_service(self):
        return self.total - self.closed

    @property
    def occupancy_percent(self):
        """Share of spots with a known state that nobody else can take now (None without data)."""
        known = self.free + self.occupied + self.reserved
        return None if not known else round(100 * (self.occupied + self.reserved) / known)


@dataclass
class Availability:
    lot: Lot
    overall: Counts
    by_category: dict = field(default_factory=dict)
    nearly_full: bool = False
    alternatives: list = field(default_factory=list)


def lot_availability(lot, nearly_full_percent, now=None):
    """Free spots per category (a free spot reserved right now is not offered), in two queries."""
    now = now or utcnow()
    by_category = {}
    overall = Counts()
    rows = db.session.execute(
        select(Spot.category, Spot.status, func.count()).where(Spot.lot_id == lot.id)
        .group_by(Spot.category, Spot.status)
    ).all()
    for category, status, count in rows:
        counts = by_category.setdefault(category, Counts())
        for target in (counts, overall):
            target.total += count
            setattr(target, status, getattr(target, status) + count)
    reserved = db.session.execute(
        select(Spot.category, func.count(func.distinct(Reservation.spot_id)))
        .join(Spot, Spot.id == Reservation.spot_id)
        .where(Reservation.lot_id == lot.id, Reservation.holding.is_(True), Reservation.starts_at <= now,
               Reservation.ends_at > now, Spot.status == "free")
        .group_by(Spot.category)
    ).all()
    for category, count in reserved:
        for target in (by_category[category], overall):
            target.free -= count
            target.reserved += count
    occupancy = overall.occupancy_percent
    return Availability(lot, overall, dict(sorted(by_category.items())),
                        nearly_full=occupancy is not None and occupancy >= nearly_full_percent)


def lots_overview():
    """Every lot with its spots counted by status, in two queries."""
    lots = list_lots()
    counts = {lot.id: Counts() for lot in lots}
    for lot_id, status, count in db.session.execute(
        select(Spot.lot_id, Spot.status, func.count()).group_by(Spot.lot_id, Spot.status)
    ).all():
        counts[lot_id].total += count
        setattr(counts[lot_id], status, getattr(counts[lot_id], status) + count)
    return [(lot, counts[lot.id]) for lot in lots]


def sensors_overview(lot, silence_minutes, now=None):
    """The lot's sensors with how many spots each watches and whether it has gone silent."""
    now = now or utcnow()
    watched = dict(db.session.execute(
        select(Spot.device_id, func.count()).where(Spot.lot_id == lot.id, Spot.device_id.is_not(None))
        .group_by(Spot.device_id)
    ).all())
    cutoff = now - timedelta(minutes=silence_minutes)
    return [(device, watched.get(device.id, 0), device.last_seen_at is None or device.last_seen_at < cutoff)
            for device in lot.devices]


# -- reservations ------------------------------------------------------------------

def local_day(moment):
    """The calendar day of a naive UTC datetime in the reader's (or the app's) time zone."""
    return local_date_of(moment)


def reservable_lots():
    return db.session.scalars(
        select(Lot).where(Lot.active.is_(True), Lot.allow_reservations.is_(True)).order_by(Lot.name)
    ).all()


def _overlapping(start, end):
    return and_(Reservation.holding.is_(True), Reservation.starts_at < end, Reservation.ends_at > start)


def _candidate_spot_ids(lot, start, end, category, crew):
    """Spots of the lot a person may get, best first; carpool spots go to crews when the lot says so."""
    if lot.carpool_priority:
        categories = ["carpool", category] if crew else [category]
        if category == "carpool" and not crew:
            raise ValidationError({"category": [gettext("Carpool spots are kept for carpool crews on that day.")]})
    else:
        categories = [category]
    rank = case({name: position for position, name in enumerate(categories)}, value=Spot.category)
    taken = exists().where(Reservation.spot_id == Spot.id, _overlapping(start, end))
    return db.session.scalars(
        select(Spot.id).where(Spot.lot_id == lot.id, Spot.category.in_(categories), Spot.status != "closed", ~taken)
        .order_by(rank, Spot.ref)
    ).all()


def _lock_spot(spot_id):
    """Take the spot's row lock (PostgreSQL) or the write lock (SQLite) until the transaction ends."""
    db.session.execute(
        update(Spot).where(Spot.id == spot_id).values(reservation_lock=Spot.reservation_lock + 1)
        .execution_options(synchronize_session=False)
    )


def _spot_is_taken(spot_id, start, end):
    return db.session.scalar(select(Reservation.id).where(Reservation.spot_id == spot_id, _overlapping(start, end))
                             .limit(1)) is not None


def store_reservation(request, payload):
    """Hold a spot for the request's window, or raise field errors (the core then stores nothing).

    Each candidate spot is locked, then checked for overlaps, so two people asking
    at the same moment can never both get it; the loser moves on to the next spot.
    """
    lot = get_lot(payload["lot_id"])
    start, end = payload["starts_at"], payload["ends_at"]
    if db.session.scalar(select(Reservation.id).where(Reservation.user_id == request.requester_id,
                                                      _overlapping(start, end)).limit(1)) is not None:
        raise ValidationError({"starts_at": [gettext("You already have a reservation at that time.")]})
    crew = None
    if lot.carpool_priority and request.requester is not None:
        crew = plugin_host().first_result("carpool_crew_for", user=request.requester, day=local_day(start))
    spot_id = payload.get("spot_id")
    if spot_id is not None:
        spot = db.session.scalar(select(Spot).where(Spot.id == spot_id, Spot.lot_id == lot.id))
        if lot.carpool_priority and spot.category == "carpool" and not crew:
            raise ValidationError({"spot_id": [gettext("This spot is kept for carpool crews on that day.")]})
        candidates = [spot_id]
    else:
        candidates = _candidate_spot_ids(lot, start, end, payload.get("category", "standard"), crew)
    for candidate in candidates:
        _lock_spot(candidate)
        if _spot_is_taken(candidate, start, end):
            continue
        reservation = Reservation(request_id=request.id, user_id=request.requester_id, lot_id=lot.id,
                                  spot_id=candidate, starts_at=start, ends_at=end,
                                  carpool_crew_label=(crew or {}).get("label", "")[:160] if crew else "")
        db.session.add(reservation)
        db.session.flush()
        return reservation
    if spot_id is not None:
        raise ValidationError({"spot_id": [gettext("This spot is already reserved at that time.")]})
    raise ValidationError({"starts_at": [gettext("No spot is free in this car park at that time.")]})


def reservation_for_request(request_id):
    return db.session.scalar(
        select(Reservation).where(Reservation.request_id == request_id)
        .options(selectinload(Reservation.spot), selectinload(Reservation.lot))
    )


def reservation_status_changed(request, change):
    """Keep the reservation's hold in step with the request: only confirmed and honoured ones hold a spot."""
    reservation = db.session.scalar(select(Reservation).where(Reservation.request_id == request.id))
    if reservation is None:
        return
    reservation.holding = change.to_status in HOLDING_STATUSES
    if change.to_status == "honoured" and reservation.checked_in_at is None:
        reservation.checked_in_at = utcnow()


def release_on_stop(requests):
    """The service stopped: reservations of its closed requests no longer hold their spots."""
    ids = [request.id for request in requests]
    if not ids:
        return 0
    reservations = db.session.scalars(select(Reservation).where(Reservation.request_id.in_(ids),
                                                                Reservation.holding.is_(True))).all()
    for reservation in reservations:
        reservation.holding = False
    return len(reservations)


def settle_due_reservations(now, grace_minutes):
    """Confirmed reservations past start + grace: honoured if a car was seen on the spot, else released.

    Idempotent: a settled reservation is no longer "confirmed".
    Returns (honoured, released) counts.
    """
    due_before = now - timedelta(minutes=grace_minutes)
    car_seen = exists().where(
        SensorEvent.spot_id == Reservation.spot_id, SensorEvent.status == "occupied",
        SensorEvent.observed_at >= Reservation.starts_at - EARLY_ARRIVAL, SensorEvent.observed_at <= now,
    )
    rows = db.session.execute(
        select(ServiceRequest, car_seen.label("seen"))
        .join(Reservation, Reservation.request_id == ServiceRequest.id)
        .where(ServiceRequest.status == "confirmed", Reservation.starts_at <= due_before)
        .order_by(Reservation.starts_at)
    ).all()
    honoured = released = 0
    for request, seen in rows:
        apply_transition(request, "check_in" if seen else "release", None, may_operate=True,
                         comment="" if seen else gettext("Released automatically: nobody arrived in time."))
        honoured += bool(seen)
        released += not seen
    return honoured, released


def upcoming_reservations(lot, now=None, limit=50):
    now = now or utcnow()
    return db.session.execute(
        select(Reservation, ServiceRequest.status, ServiceRequest.number)
        .join(ServiceRequest, ServiceRequest.id == Reservation.request_id)
        .where(Reservation.lot_id == lot.id, Reservation.holding.is_(True), Reservation.ends_at > now)
        .options(selectinload(Reservation.spot))
        .order_by(Reservation.starts_at).limit(limit)
    ).all()


# -- silent sensors ------------------------------------------------------------------

def mark_silent_sensors(territory_id, now, silence_minutes):
    """Turn to "unknown" the free or occupied spots whose sensor has been silent too long.

    The last observation time is kept, so events the sensor buffered while it
    was cut off still apply when it comes back. Returns the number of spots changed.
    """
    cutoff = now - timedelta(minutes=silence_minutes)
    silent = select(Device.id).where(Device.territory_id == territory_id,
                                     or_(Device.last_seen_at.is_(None), Device.last_seen_at < cutoff))
    result = db.session.execute(
        update(Spot)
        .where(Spot.territory_id == territory_id, Spot.device_id.in_(silent), Spot.status.in_(("free", "occupied")),
               Spot.closed_by_operator.is_(False))
        .values(status="unknown")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def tick(territory, now, config):
    """Time-based work of the smart parking of one territory; running it twice changes nothing more."""
    silenced = mark_silent_sensors(territory.id, now, config["sensor_silence_minutes"])
    honoured, released = settle_due_reservations(now, config["no_show_grace_minutes"])
    return {"silenced": silenced, "honoured": honoured, "released": released}
