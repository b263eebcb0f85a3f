"""Smart parking input schemas: module config, lots, spots, sensors, sensor events and reservations."""
from datetime import timedelta

from marshmallow import ValidationError, fields, post_load, validates_schema
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

from .models import LOT_CATEGORIES, SPOT_CATEGORIES, Lot, Spot

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


class LotSchema(_Coordinates):
    name = fields.String(required=True, validate=length(min=2, max=160))
    address = fields.String(load_default="", validate=length(max=300))
    business_park = fields.String(load_default="", validate=length(max=160))
    category = fields.String(load_default="forEmployees", validate=one_of(LOT_CATEGORIES))
    allow_reservations = fields.Boolean(load_default=False)
    carpool_priority = fields.Boolean(load_default=False)


class SpotSchema(_Coordinates):
    ref = fields.String(required=True, validate=length(min=1, max=40))
    category = fields.String(load_default="standard", validate=one_of(SPOT_CATEGORIES))
    device_id = fields.Integer(allow_none=True)


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
