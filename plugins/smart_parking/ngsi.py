"""Reading FIWARE notifications: NGSI-v2 (normalized, keyValues) and NGSI-LD (normalized, concise, simplified).

An Orion Context Broker (NGSI-v2) or an NGSI-LD broker notifies its
subscribers with a list of entities in one of several representations. This
module reduces each ``ParkingSpot`` entity to what coopserv needs (entity id,
status, observation time, parking site and group) and leaves the rest alone:
other entity types and unknown attributes are ignored, never an error. Orion
sends no event id, so one is derived from the entity id and the observation
time: the same observation notified twice is the same event.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from coopserv.plugin_api import gettext

from .models import SPOT_STATUSES

PARKING_SPOT = "ParkingSpot"
#: The most entities one notification may carry (Orion sends far fewer; a bigger one is refused whole).
MAX_ENTITIES = 5000
_STATUSES = frozenset(SPOT_STATUSES)
_IRI = re.compile(r"^https?://")


class NotificationError(ValueError):
    """The notification's envelope is unreadable; ``errors`` holds field-level messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@dataclass
class SpotObservation:
    """One ParkingSpot entity of a notification, reduced to what ingestion needs."""

    index: int
    entity_id: str
    status: str
    #: Naive UTC, like every stored datetime.
    observed_at: datetime
    event_id: str
    refs: dict = field(default_factory=dict)


@dataclass
class EntityOutcome:
    """What became of an entity that is not ingested: ignored (other type) or rejected (with field errors)."""

    index: int
    entity_id: str | None
    entity_type: str | None
    result: str
    reason: str
    errors: dict = field(default_factory=dict)


def read_notification(body):
    """Return ("ngsi-v2" or "ngsi-ld", entities) of a notification, or raise NotificationError."""
    if not isinstance(body, dict):
        raise NotificationError({"_schema": [gettext("Send an NGSI notification: a JSON object with “data”.")]})
    data = body.get("data")
    if not isinstance(data, list):
        raise NotificationError({"data": [gettext("Send the entities as a JSON list in “data”.")]})
    if len(data) > MAX_ENTITIES:
        raise NotificationError({"data": [gettext("Send at most %(max)s entities per notification.",
                                                   max=MAX_ENTITIES)]})
    form = "ngsi-ld" if body.get("type") == "Notification" or "notifiedAt" in body else "ngsi-v2"
    return form, data


def term(name):
    """A type or attribute name without namespace: an expanded IRI (no @context known) keeps its last segment."""
    if isinstance(name, str) and _IRI.match(name):
        return re.split(r"[/#]", name.rstrip("/"))[-1]
    return name


def attribute(entity, name):
    """Return (value, details) of an attribute in any representation, or (None, {}) when it is absent.

    ``details`` is the attribute object of the normalized and concise forms
    (with ``metadata``, ``observedAt``…), empty for keyValues.
    """
    raw = None
    for key, candidate in entity.items():
        if term(key) == name:
            raw = candidate
            break
    else:
        return None, {}
    if isinstance(raw, list) and raw and all(isinstance(item, dict) and "value" in item for item in raw):
        raw = raw[0]  # NGSI-LD multi-attribute (several datasetId): the default instance comes first
    if isinstance(raw, dict) and ("value" in raw or "object" in raw):
        return plain(raw.get("value", raw.get("object"))), raw
    return plain(raw), {}


def plain(value):
    """A JSON-LD typed value (``{"@type": "DateTime", "@value": ...}``) as its bare value."""
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


def _metadata(details, name):
    value = (details.get("metadata") or {}).get(name)
    return plain(value.get("value")) if isinstance(value, dict) else plain(value)


def observation_time(entity, status_details):
    """The observation time as text, by preference: observedAt, status.metadata.timestamp, dateObserved, dateModified."""
    candidates = (
        status_details.get("observedAt"),
        _metadata(status_details, "timestamp"),
        attribute(entity, "dateObserved")[0],
        attribute(entity, "dateModified")[0],
        _metadata(status_details, "dateModified"),
        status_details.get("modifiedAt"),
    )
    return next((value for value in candidates if value not in (None, "")), None)


def parse_time(text):
    """ISO 8601 text as naive UTC (Orion's times without offset are UTC), or None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def derived_event_id(prefix, key, observed_at):
    """A stable event id from what identifies an observation (a source names no event id of its own)."""
    digest = hashlib.blake2s(f"{key}|{observed_at.isoformat()}".encode("utf-8"), digest_size=16).hexdigest()
    return f"{prefix}-{digest}"


def read_entity(index, entity):
    """Return a SpotObservation for a ParkingSpot entity, else an EntityOutcome saying why not."""
    if not isinstance(entity, dict):
        return EntityOutcome(index, None, None, "rejected", "invalid",
                             {"_schema": [gettext("Each entity must be a JSON object.")]})
    entity_id, entity_type = entity.get("id"), term(entity.get("type"))
    if not isinstance(entity_id, str) or not entity_id or len(entity_id) > 256:
        return EntityOutcome(index, None, entity_type if isinstance(entity_type, str) else None, "rejected",
                             "invalid", {"id": [gettext("Give the entity id as text, at most 256 characters.")]})
    if entity_type != PARKING_SPOT:
        return EntityOutcome(index, entity_id, entity_type if isinstance(entity_type, str) else None, "ignored",
                             "other_type")
    errors = {}
    status, details = attribute(entity, "status")
    if status in (None, ""):
        errors["status"] = [gettext("This field is required.")]
    elif status not in _STATUSES:
        errors["status"] = [gettext("Choose one of: free, occupied, closed, unknown.")]
    text = observation_time(entity, details)
    observed_at = parse_time(text)
    if text is None:
        errors["observedAt"] = [gettext("No observation time: send observedAt, a timestamp metadata, "
                                        "dateObserved or dateModified.")]
    elif observed_at is None:
        errors["observedAt"] = [gettext("Give an ISO 8601 date and time, e.g. 2026-11-30T08:15:00Z.")]
    if errors:
        return EntityOutcome(index, entity_id, entity_type, "rejected", "invalid", errors)
    refs = {name: value for name in ("refParkingSite", "refParkingGroup")
            if isinstance(value := attribute(entity, name)[0], str)}
    return SpotObservation(index, entity_id, status, observed_at, derived_event_id("ngsi", entity_id, observed_at),
                           refs)


def service_path_matches(configured, header):
    """Tell whether every path of a Fiware-ServicePath header lies where the subscription expects.

    ``configured`` is a path ("/autun/nexans") or a subtree ("/autun/#", "/#");
    Orion sends one path per notified entity, comma-separated, "/" by default.
    """
    paths = [path.strip() or "/" for path in (header or "/").split(",")]
    if configured.endswith("/#"):
        root = configured[:-2]
        return all(path == root or path.startswith(root + "/") or not root for path in paths)
    return all(path == configured for path in paths)


def receive_notification(body, lot_id=None, now=None):
    """Ingest the ParkingSpot entities of a notification; return the report, one entry per entity.

    Raises NotificationError when the envelope is unreadable (nothing is stored
    then). Entities update spots of ``lot_id`` only, when given.
    """
    from .observations import Observation, feed

    form, entities = read_notification(body)
    read = [read_entity(index, entity) for index, entity in enumerate(entities)]
    spots = [item for item in read if isinstance(item, SpotObservation)]
    fed = feed([Observation(item.index, item.entity_id, item.status, item.observed_at, item.event_id,
                            item.refs.get("refParkingSite")) for item in spots], "ngsi_id", lot_id, now)
    results = {result.index: result for result in fed.results}
    entries = []
    for item in read:
        if isinstance(item, SpotObservation):
            result = results[item.index]
            entry = {"id": item.entity_id, "type": PARKING_SPOT, "result": result.result, **item.refs,
                     "observedAt": item.observed_at.isoformat() + "Z"}
            if result.result == "rejected":
                entry.update(reason=result.reason, errors=result.errors)
        else:
            entry = {"id": item.entity_id, "type": item.entity_type, "result": item.result, "reason": item.reason}
            if item.errors:
                entry["errors"] = item.errors
        entries.append(entry)
    totals = {name: sum(1 for entry in entries if entry["result"] == name)
              for name in ("accepted", "duplicate", "ignored", "rejected")}
    return {"form": form, "received": len(entities), "accepted": totals["accepted"],
            "duplicates": totals["duplicate"], "ignored": totals["ignored"], "rejected": totals["rejected"],
            "spots_updated": fed.spots_updated, "entities": entries}
