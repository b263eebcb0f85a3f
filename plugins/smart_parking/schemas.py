"""Smart parking input schemas: module config, lots, spots, sensors, sensor events, reservations, feeds in."""
import re
from datetime import timedelta

from marshmallow import ValidationError, fields, post_load, pre_load, validates_schema
from sqlalchemy import select

from coopserv.plugin_api import (
    LocalDateTime,
    Schema,
    _l,
    between,
    db,
    lazy_gettext,
    length,
    one_of,
    utcnow,
)

from .models import LOT_CATEGORIES, SPOT_CATEGORIES, SPOT_STATUSES, Lot, Spot

#: The most events one API call may carry; bigger batches are refused whole.
MAX_BATCH = 5000
#: Clock drift tolerated between a sensor and the server.
FUTURE_TOLERANCE = timedelta(minutes=5)


class SmartParkingConfigSchema(Schema):
    """The module's settings, edited in the core's admin config form."""

    sensor_silence_minutes = fields.Integer(load_default=30, validate=between(1, 1440),
                                            metadata={"label": _l("Minutes of sensor silence before a spot turns unknown")})
    no_show_grace_minutes = fields.Integer(load_default=15, validate=between(0, 240),
                                           metadata={"label": _l("Minutes after the start before an unused reservation is released")})
    nearly_full_percent = fields.Integer(load_default=90, validate=between(50, 100),
                                         metadata={"label": _l("Occupancy (%) from which a lot counts as nearly full")})
    refresh_seconds = fields.Integer(load_default=10, validate=between(3, 300),
                                     metadata={"label": _l("Refresh of the availability pages (seconds)")})
    max_reservation_hours = fields.Integer(load_default=12, validate=between(1, 24),
                                           metadata={"label": _l("Longest reservation (hours)")})
    max_days_ahead = fields.Integer(load_default=14, validate=between(0, 90),
                                    metadata={"label": _l("How many days ahead employees may reserve")})
    publish_open_data = fields.Boolean(
        load_default=False,
        metadata={"label": _l("Publish the car parks' availability as open data (NGSI-LD, CSV, JSON)")})


def smart_parking_config(module):
    """The module's configuration with defaults filled in."""
    return SmartParkingConfigSchema().load((module.config if module else None) or {})


class _Coordinates(Schema):
    latitude = fields.Float(validate=between(-90, 90), allow_none=True)
    longitude = fields.Float(validate=between(-180, 180), allow_none=True)

    @validates_schema
    def _both_or_none(self, data, **kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            raise ValidationError(lazy_gettext("Give both the latitude and the longitude, or neither."), missing)


#: NGSI entity ids: the characters smart-data-models allow (URNs and Orion's plain ids alike).
_NGSI_ID = re.compile(r"^[\w\-.{}$+*\[\]`|~^@!,:\\]+$")


def _ngsi_id(value):
    if not _NGSI_ID.match(value):
        raise ValidationError(lazy_gettext("An NGSI id is one word without spaces, e.g. "
                                           "urn:ngsi-ld:ParkingSpot:autun:A-12."))


class LotSchema(_Coordinates):
    name = fields.String(required=True, validate=length(min=2, max=160))
    address = fields.String(load_default="", validate=length(max=300))
    business_park = fields.String(load_default="", validate=length(max=160))
    category = fields.String(load_default="forEmployees", validate=one_of(LOT_CATEGORIES))
    allow_reservations = fields.Boolean(load_default=False)
    carpool_priority = fields.Boolean(load_default=False)
    #: Blank clears it, as for spots.
    ngsi_id = fields.String(load_default=None, allow_none=True, validate=[length(max=256), _ngsi_id])


def _sensor_id(value):
    if any(character.isspace() for character in value):
        raise ValidationError(lazy_gettext("A sensor identifier has no spaces, e.g. 70B3D57ED0051A2C."))


class SpotSchema(_Coordinates):
    ref = fields.String(required=True, validate=length(min=1, max=40))
    category = fields.String(load_default="standard", validate=one_of(SPOT_CATEGORIES))
    device_id = fields.Integer(allow_none=True)
    #: Blank clears them: they are optional, and the edit form sends every field.
    ngsi_id = fields.String(load_default=None, allow_none=True, validate=[length(max=256), _ngsi_id])
    sensor_id = fields.String(load_default=None, allow_none=True, validate=[length(max=64), _sensor_id])


class SpotIdsSchema(Schema):
    """One line of an import of spots' ids: the spot's number and its NGSI id and/or sensor identifier."""

    ref = fields.String(required=True, validate=length(min=1, max=40))
    ngsi_id = fields.String(load_default=None, allow_none=True, validate=[length(max=256), _ngsi_id])
    sensor_id = fields.String(load_default=None, allow_none=True, validate=[length(max=64), _sensor_id])


#: Orion's tenants: lower-case letters, digits and underscores. Service paths: /segment/segment, "/#" subtrees.
_FIWARE_SERVICE = re.compile(r"^[a-z0-9_]*$")
_SERVICE_PATH = re.compile(r"^/(?:[A-Za-z0-9_]+(?:/[A-Za-z0-9_]+)*)?(?:/#|#)?$")


def _fiware_service(value):
    if not _FIWARE_SERVICE.match(value):
        raise ValidationError(lazy_gettext("Letters, digits and underscores only (Orion stores it in lower case)."))


def _service_path(value):
    if not _SERVICE_PATH.match(value) or value.endswith("//#"):
        raise ValidationError(lazy_gettext("Give a path such as /autun/nexans, or /autun/# for everything under it."))


class NgsiSubscriptionSchema(Schema):
    """An Orion subscription the operator declares; coopserv gives it a key to send in a header."""

    name = fields.String(required=True, validate=length(min=2, max=80))
    lot_id = fields.Integer(load_default=None, allow_none=True)
    fiware_service = fields.String(load_default="", validate=[length(max=50), _fiware_service])
    fiware_service_path = fields.String(load_default="/#", validate=[length(max=100), _service_path])

    @pre_load
    def _lower_service(self, data, **kwargs):
        """Orion lower-cases the tenant name: accept it typed in any case."""
        if isinstance(data, dict) and isinstance(data.get("fiware_service"), str):
            data = dict(data, fiware_service=data["fiware_service"].strip().lower())
        return data


def _json_pointer(value):
    if value and not value.startswith("/"):
        raise ValidationError(lazy_gettext("A JSON pointer starts with /, e.g. /object/occupied."))


def _topic_filter(value):
    levels = value.split("/")
    if any(("+" in level and level != "+") or ("#" in level and level != "#") for level in levels) \
            or "#" in levels[:-1]:
        raise ValidationError(lazy_gettext("Use + for one whole level and # only at the end, "
                                           "e.g. application/+/device/+/event/up."))


class StatusValues(fields.Field):
    """Raw values to statuses: a JSON object, or the text "true=occupied, false=free" of a form."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            pairs = [part.split("=", 1) for part in re.split(r"[,;\n]", value) if part.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValidationError(lazy_gettext("Write value=status pairs, e.g. true=occupied, false=free."))
            value = {raw.strip(): status.strip() for raw, status in pairs}
        if not isinstance(value, dict) or not value:
            raise ValidationError(lazy_gettext("Write value=status pairs, e.g. true=occupied, false=free."))
        wrong = sorted(str(status) for status in value.values() if status not in SPOT_STATUSES)
        if wrong:
            raise ValidationError(lazy_gettext("Unknown status: %(values)s. Choose among free, occupied, closed, "
                                               "unknown.") % {"values": ", ".join(wrong)})
        return {str(raw): status for raw, status in value.items()}


class MqttMappingSchema(Schema):
    """Where, in the MQTT messages of some topics, the spot, its status and the time of observation are."""

    topic = fields.String(required=True, validate=[length(min=1, max=200), _topic_filter])
    sensor_pointer = fields.String(load_default="", validate=[length(max=200), _json_pointer])
    spot_pointer = fields.String(load_default="", validate=[length(max=200), _json_pointer])
    status_pointer = fields.String(required=True, validate=[length(max=200), _json_pointer])
    status_values = StatusValues(required=True)
    time_pointer = fields.String(required=True, validate=[length(max=200), _json_pointer])
    event_id_pointer = fields.String(load_default="", validate=[length(max=200), _json_pointer])

    @validates_schema
    def _spot_is_found_somehow(self, data, **kwargs):
        if not data.get("sensor_pointer") and not data.get("spot_pointer"):
            raise ValidationError(lazy_gettext("Give where the sensor's identifier is, or where the spot's "
                                               "number is."), "sensor_pointer")


class SpotRangeSchema(Schema):
    """Many spots at once: prefix "A-", numbers 1 to 20 gives A-01 … A-20."""

    prefix = fields.String(load_default="", validate=length(max=20))
    first_number = fields.Integer(load_default=1, validate=between(0, 9999))
    count = fields.Integer(required=True, validate=between(1, 500))
    category = fields.String(load_default="standard", validate=one_of(SPOT_CATEGORIES))
    one_sensor_per_spot = fields.Boolean(load_default=False)


class DeviceSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=80))


def _event_list(value):
    if not isinstance(value, list):
        raise ValidationError(lazy_gettext("Send the events as a JSON list."))
    if not 1 <= len(value) <= MAX_BATCH:
        raise ValidationError(lazy_gettext("Send between 1 and %(max)s events per batch.") % {"max": MAX_BATCH})


class SensorBatchSchema(Schema):
    """The envelope of a batch; each event is then checked on its own so one bad event rejects only itself.

    ``events`` is a Raw field with a list check rather than a List field, which
    would walk every event once more for nothing.
    """

    events = fields.Raw(required=True, validate=_event_list)


class ReservationSchema(Schema):
    """An employee's reservation request: a lot, a window, optionally a spot or a kind of spot."""

    lot_id = fields.Integer(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    spot_id = fields.Integer(allow_none=True)
    category = fields.String(load_default="standard", validate=one_of(SPOT_CATEGORIES))

    @validates_schema(skip_on_field_errors=False)
    def _check_window_and_lot(self, data, **kwargs):
        config = smart_parking_config(getattr(self, "module", None))
        errors = {}
        start, end = data.get("starts_at"), data.get("ends_at")
        now = utcnow()
        if start is not None and end is not None:
            if end <= start:
                errors["ends_at"] = [lazy_gettext("The reservation must end after it starts.")]
            elif end - start > timedelta(hours=config["max_reservation_hours"]):
                errors["ends_at"] = [lazy_gettext("A reservation lasts at most %(hours)s hours.")
                                     % {"hours": config["max_reservation_hours"]}]
        if start is not None:
            if start < now - timedelta(minutes=5):
                errors["starts_at"] = [lazy_gettext("Choose a start time from now on.")]
            elif start > now + timedelta(days=config["max_days_ahead"] + 1):
                errors["starts_at"] = [lazy_gettext("Reservations open %(days)s days ahead at most.")
                                       % {"days": config["max_days_ahead"]}]
        lot = None
        if data.get("lot_id") is not None:
            lot = db.session.scalar(select(Lot).where(Lot.id == data["lot_id"], Lot.active.is_(True)))
            if lot is None:
                errors["lot_id"] = [lazy_gettext("Choose one of the car parks.")]
            elif not lot.allow_reservations:
                errors["lot_id"] = [lazy_gettext("This car park does not take reservations.")]
        if lot is not None and data.get("spot_id") is not None:
            spot = db.session.scalar(select(Spot).where(Spot.id == data["spot_id"], Spot.lot_id == lot.id))
            if spot is None:
                errors["spot_id"] = [lazy_gettext("Choose a spot of this car park.")]
            elif spot.status == "closed":
                errors["spot_id"] = [lazy_gettext("This spot is closed.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _remember_lot_name(self, data, **kwargs):
        """Keep the lot's name in the payload so lists can summarise the request without a query."""
        lot = db.session.scalar(select(Lot).where(Lot.id == data["lot_id"]))
        data["lot_name"] = lot.name if lot else ""
        return data


def read_spot_ids_csv(raw):
    """Read an import of spots' ids from CSV bytes (UTF-8, or Windows-1252 as French spreadsheets save it).

    Columns ``ref`` and ``ngsi_id`` and/or ``sensor_id``, separated by commas or
    semicolons. Returns the loaded lines, or raises ValidationError with the
    errors of each line (numbered from 1, after the header).
    """
    import csv
    import io

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    columns = {(name or "").strip() for name in reader.fieldnames or []}
    if "ref" not in columns or not columns & {"ngsi_id", "sensor_id"}:
        raise ValidationError({"file": [lazy_gettext("The first line must name the columns: ref, then ngsi_id "
                                                     "and/or sensor_id.")]})
    rows, errors = [], {}
    for line, row in enumerate(reader, start=1):
        values = {(key or "").strip(): (value or "").strip() for key, value in row.items() if key}
        try:
            rows.append(SpotIdsSchema().load(values))
        except ValidationError as error:
            errors[str(line)] = error.messages
    if errors:
        raise ValidationError({"lines": errors})
    if not rows:
        raise ValidationError({"file": [lazy_gettext("The file has no line to import.")]})
    return rows
