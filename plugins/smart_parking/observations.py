"""Observations from other systems (NGSI entities, MQTT messages) fed to the one ingestion path.

Each observation names its spot in the source's own terms: an NGSI entity id,
a sensor's network identifier, or the spot's number within a lot. This module
finds the spots in a bounded number of queries, groups the observations by the
sensor that watches each spot, and hands every group to ``ingestion.ingest``
(its signature and report are the sensor API's), so idempotency, ordering and
operator closures behave exactly as for the HTTP API. It then tells, for each
observation, whether it was accepted, a duplicate or rejected and why.
"""
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, func, select, text

from coopserv.plugin_api import current_territory, db, gettext, utcnow

from .ingestion import ingest
from .models import Device, Lot, SensorEvent, Spot

#: How observations name their spot: the column of Spot each kind is matched against.
MATCH_COLUMNS = {"ngsi_id": Spot.ngsi_id, "sensor_id": Spot.sensor_id, "ref": Spot.ref}
_CHUNK = 500


def default_spot_ngsi_id(territory_slug, spot_id):
    """The NGSI-LD id a spot has when the operator gave it none (used in and out)."""
    return f"urn:ngsi-ld:ParkingSpot:{territory_slug}:{spot_id}"


def default_lot_ngsi_id(territory_slug, lot_id):
    return f"urn:ngsi-ld:OffStreetParking:{territory_slug}:{lot_id}"


def lot_ngsi_id(territory_slug, lot_id, own_id=None):
    """The NGSI-LD id a lot is published under: the one its broker knows it by, else coopserv's."""
    return own_id or default_lot_ngsi_id(territory_slug, lot_id)


@dataclass
class Observation:
    """A spot's status seen by another system; ``key`` names the spot as the source does."""

    index: int
    key: str
    status: str
    #: Naive UTC.
    observed_at: datetime
    event_id: str
    #: The car park the source says the spot belongs to (NGSI refParkingSite), checked against the spot's; or None.
    site: str | None = None


@dataclass
class ObservationResult:
    index: int
    key: str
    result: str
    reason: str = ""
    errors: dict = field(default_factory=dict)


@dataclass
class FeedReport:
    """Totals of a feed and one result per observation, in their order."""

    results: list = field(default_factory=list)
    spots_updated: int = 0
    #: Totals from the ingestion reports (exact even when results do not tell accepted from duplicate).
    accepted: int = 0
    duplicates: int = 0

    def count(self, result):
        return sum(1 for item in self.results if item.result == result)


def _spots_by_key(match, keys, lot_id):
    """Spot rows (id, ref, device id, device active, key, lot id) for the keys, in chunks of 500 keys."""
    column = MATCH_COLUMNS[match]
    found = {}
    if match == "sensor_id":
        # Hexadecimal identifiers come in either case (ChirpStack writes DevEUIs in lower case, TTN in upper).
        column, keys = func.lower(column), sorted({key.lower() for key in keys})
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        query = (select(Spot.id, Spot.ref, Spot.device_id, Device.active, column, Spot.lot_id)
                 .outerjoin(Device, Device.id == Spot.device_id).where(column.in_(_json_values(chunk))))
        if lot_id is not None:
            query = query.where(Spot.lot_id == lot_id)
        found.update({row[4]: row for row in db.session.execute(query).all()})
    if match == "ngsi_id":
        found.update(_spots_by_default_id([key for key in keys if key not in found], lot_id))
    return found


def _json_values(values):
    """Values for ``IN`` as one JSON parameter: an IN list costs a placeholder (and regex work) per value."""
    payload = json.dumps(list(values))
    if db.session.get_bind().dialect.name == "sqlite":
        query = text("SELECT value FROM json_each(:json_values)")
    else:
        query = text("SELECT json_array_elements_text(CAST(:json_values AS json)) AS value")
    return query.bindparams(json_values=payload).columns(value=String)


def _spots_by_default_id(keys, lot_id):
    """Spots named by the NGSI id coopserv gives them by default (and that have no id of their own)."""
    pattern = re.compile(re.escape(f"urn:ngsi-ld:ParkingSpot:{current_territory().slug}:") + r"(\d+)$")
    wanted = {int(match.group(1)): key for key in keys if (match := pattern.match(key))}
    if not wanted:
        return {}
    query = (select(Spot.id, Spot.ref, Spot.device_id, Device.active, Spot.id, Spot.lot_id)
             .outerjoin(Device, Device.id == Spot.device_id)
             .where(Spot.id.in_(list(wanted)), Spot.ngsi_id.is_(None)))
    if lot_id is not None:
        query = query.where(Spot.lot_id == lot_id)
    return {wanted[row[0]]: row for row in db.session.execute(query).all()}


def _site_ids(spots, observations):
    """The ids each car park of the found spots answers to (its own NGSI id and coopserv's), when sources name sites."""
    if not any(item.site is not None for item in observations):
        return {}
    lot_ids = sorted({row[5] for row in spots.values()})
    slug = current_territory().slug
    return {lot_id: {default_lot_ngsi_id(slug, lot_id), *([own] if own else [])} for lot_id, own in
            db.session.execute(select(Lot.id, Lot.ngsi_id).where(Lot.id.in_(lot_ids))).all()}


def _other_site(item, row, site_ids):
    expected = " / ".join(sorted(site_ids.get(row[5], ())))
    return gettext("“%(site)s” is not the car park of spot %(spot)s (expected %(expected)s); give the car park its "
                   "NGSI id on its page.", site=item.site, spot=row[1], expected=expected)


def _unknown_spot(match, key):
    if match == "ngsi_id":
        return gettext("No spot has the NGSI id “%(id)s”; give it to the spot on the car park page.", id=key)
    if match == "sensor_id":
        return gettext("No spot has a sensor with the identifier “%(id)s”.", id=key)
    return gettext("No spot “%(spot)s” in this car park.", spot=key)


def feed(observations, match, lot_id=None, now=None, itemised=True):
    """Ingest observations naming their spots by ``match`` (ngsi_id, sensor_id or ref); return a FeedReport.

    ``lot_id`` restricts the spots to one lot (always for ``ref``). Runs with the
    territory in scope; each sensor's group is one ``ingest`` call, committed.
    With ``itemised`` off, stored observations are only counted (accepted and
    duplicates in the totals, "stored" in the results): one query less per sensor.
    """
    now = now or utcnow()
    report = FeedReport()
    spots = _spots_by_key(match, sorted({item.key for item in observations}), lot_id)
    site_ids = _site_ids(spots, observations)
    groups = defaultdict(list)
    spots_of = defaultdict(dict)  # the sensor's spots seen here, {ref: id}: ingest need not read them again
    results = {}
    for item in observations:
        row = spots.get(item.key.lower() if match == "sensor_id" else item.key)
        if row is None:
            results[item.index] = ObservationResult(item.index, item.key, "rejected", "unknown_spot",
                                                    {"spot": [_unknown_spot(match, item.key)]})
        elif item.site is not None and item.site not in site_ids.get(row[5], ()):
            # Nothing is stored for it: the notification says the spot stands in another car park.
            results[item.index] = ObservationResult(item.index, item.key, "rejected", "other_site",
                                                    {"refParkingSite": [_other_site(item, row, site_ids)]})
        elif row[2] is None or not row[3]:
            results[item.index] = ObservationResult(item.index, item.key, "rejected", "no_sensor", {"spot": [
                gettext("Spot %(spot)s has no active sensor in coopserv: choose one on the spot's page.",
                        spot=row[1])]})
        else:
            groups[row[2]].append((item, row[1]))
            spots_of[row[2]][row[1]] = row[0]
    # Rows, not ORM objects: each ``ingest`` commits, which would expire objects and reload each one.
    devices = {row.id: row for row in db.session.execute(
        select(Device.id, Device.territory_id).where(Device.id.in_(list(groups))))}
    for device_id in sorted(groups):
        group = groups[device_id]
        # Adapters read and checked every observation already: no dict to build and parse again per event.
        events = [(item.event_id, ref, item.status, item.observed_at) for item, ref in group]
        outcome = ingest(devices[device_id], events, now=now, parsed=True, spots=spots_of[device_id])
        report.spots_updated += outcome.spots_updated
        report.accepted += outcome.accepted
        report.duplicates += outcome.duplicates
        refused = {entry["index"]: entry for entry in outcome.rejected}
        inserted = _inserted_now(device_id, [item.event_id for item, _ref in group], now) if itemised else None
        for position, (item, _ref) in enumerate(group):
            if position in refused:
                results[item.index] = ObservationResult(item.index, item.key, "rejected", refused[position]["reason"],
                                                        refused[position]["errors"])
            elif inserted is None:
                results[item.index] = ObservationResult(item.index, item.key, "stored")
            elif item.event_id in inserted:
                inserted.discard(item.event_id)  # a second copy in the same batch is a duplicate
                results[item.index] = ObservationResult(item.index, item.key, "accepted")
            else:
                results[item.index] = ObservationResult(item.index, item.key, "duplicate")
    report.results = [results[item.index] for item in observations]
    return report


def _inserted_now(device_id, event_ids, now):
    """Event ids of a sensor stored by the ingest call that received them at ``now``."""
    inserted = set()
    unique = sorted(set(event_ids))
    for start in range(0, len(unique), _CHUNK):
        inserted.update(db.session.scalars(
            select(SensorEvent.event_id).where(SensorEvent.device_id == device_id,
                                               SensorEvent.event_id.in_(unique[start:start + _CHUNK]),
                                               SensorEvent.received_at == now)))
    return inserted
