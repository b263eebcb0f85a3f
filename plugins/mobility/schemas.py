"""Mobility input schemas: commutes (the request), the module config, the operator's forms, bookings."""
from marshmallow import ValidationError, fields, pre_load, validates_schema
from sqlalchemy import select

from coopserv.plugin_api import LocalDateTime, Schema, _l, between, db, lazy_gettext, length, one_of

from .models import BIKE_KINDS, KINDS, BusinessPark, Town
from .points import PointFields

#: Average car, ADEME Base Empreinte (kg CO2e per vehicle-km, combustion, all uses).
ADEME_CAR_KG_CO2E_PER_KM = 0.218


class MobilityConfigSchema(Schema):
    """How a territory runs carpool matching and its alternative offers."""

    max_detour_km = fields.Float(load_default=5.0, validate=between(0.5, 50),
                                 metadata={"label": _l("Maximum detour for a driver (km, great-circle)")})
    max_time_difference_minutes = fields.Integer(
        load_default=20, validate=between(5, 120),
        metadata={"label": _l("Maximum difference between departure or return times (minutes)")})
    max_proposals_per_request = fields.Integer(load_default=10, validate=between(1, 50),
                                               metadata={"label": _l("Proposals shown per request")})
    emission_factor_kg_per_km = fields.Float(
        load_default=ADEME_CAR_KG_CO2E_PER_KM, validate=between(0, 2),
        metadata={"label": _l("Emission factor of a car (kg CO2e per km; default 0.218, average car, "
                              "ADEME Base Empreinte)")})
    shuttle_enabled = fields.Boolean(load_default=False, metadata={"label": _l("Offer an on-demand shuttle")})
    bikes_enabled = fields.Boolean(load_default=False, metadata={"label": _l("Offer a pool of bikes or e-bikes")})
    publish_open_data = fields.Boolean(
        load_default=False,
        metadata={"label": _l("Publish the shuttle timetable (GTFS) and the bike pools (GBFS) as open data")})


def _as_list(value):
    if value is None or isinstance(value, (list, tuple)):
        return value
    return [value]


class CommuteSchema(Schema):
    """A regular commute: home town (one of the territory's carpooling towns), park, days, times, seats.

    The town is chosen, never typed: its point was entered once by the operator, so no employee gives
    coordinates and matching compares places the territory knows.
    """

    kind = fields.String(required=True, validate=one_of(KINDS))
    business_park_id = fields.Integer(required=True)
    town_id = fields.Integer(required=True, error_messages={"required": lazy_gettext("Choose your town."),
                                                            "null": lazy_gettext("Choose your town."),
                                                            "invalid": lazy_gettext("Choose one of the towns.")})
    weekdays = fields.List(fields.Integer(validate=between(0, 6)), required=True)
    departure_time = fields.Time(required=True)
    return_time = fields.Time(required=True)
    seats = fields.Integer(required=True, validate=between(1, 8))

    @pre_load
    def _weekdays_as_list(self, data, **kwargs):
        """A single ticked box arrives as a string, several as a list."""
        if isinstance(data, dict) and "weekdays" in data:
            data = dict(data, weekdays=_as_list(data["weekdays"]))
        return data

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data, original, **kwargs):
        errors = {}
        if "weekdays" in data and not data["weekdays"]:
            errors["weekdays"] = [lazy_gettext("Choose at least one day.")]
        if data.get("departure_time") and data.get("return_time") and data["return_time"] <= data["departure_time"]:
            errors["return_time"] = [lazy_gettext("The return must be after the departure.")]
        if data.get("business_park_id") is not None:
            park = db.session.scalar(select(BusinessPark).where(BusinessPark.id == data["business_park_id"],
                                                                BusinessPark.active.is_(True)))
            if park is None:
                errors["business_park_id"] = [lazy_gettext("Choose one of the business parks.")]
        if data.get("town_id") is not None:
            if db.session.scalar(select(Town.id).where(Town.id == data["town_id"])) is None:
                errors["town_id"] = [lazy_gettext("Choose one of the towns.")]
        if errors:
            raise ValidationError(errors)


class BusinessParkSchema(PointFields, Schema):
    """A business park and its point (one field, or latitude and longitude)."""

    name = fields.String(required=True, validate=length(min=2, max=120))
    address = fields.String(load_default="", validate=length(max=300))


class TownSchema(PointFields, Schema):
    """A town where people live and its point (one field, or latitude and longitude)."""

    name = fields.String(required=True, validate=length(min=2, max=120))
    postcode = fields.String(load_default="", validate=length(max=10))


class ShuttleRunSchema(Schema):
    business_park_id = fields.Integer(required=True)
    origin = fields.String(required=True, validate=length(min=2, max=160))
    #: Where the origin stop is: journey planners (GTFS) need it; runs without it stay off the feed.
    origin_latitude = fields.Float(load_default=None, allow_none=True, validate=between(-90, 90))
    origin_longitude = fields.Float(load_default=None, allow_none=True, validate=between(-180, 180))
    #: Typed on the territory's clock, stored in UTC (a 7:45 departure stays 7:45 across DST changes).
    departs_at = LocalDateTime(required=True)
    duration_minutes = fields.Integer(load_default=20, validate=between(1, 600))
    seats = fields.Integer(required=True, validate=between(1, 60))

    @validates_schema
    def _both_or_none(self, data, **kwargs):
        if (data.get("origin_latitude") is None) != (data.get("origin_longitude") is None):
            missing = "origin_longitude" if data.get("origin_longitude") is None else "origin_latitude"
            raise ValidationError(lazy_gettext("Give both the latitude and the longitude, or neither."), missing)


class BikePoolSchema(Schema):
    business_park_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=length(min=2, max=160))
    kind = fields.String(load_default="ebike", validate=one_of(BIKE_KINDS))
    bikes = fields.Integer(required=True, validate=between(1, 200))


class ShuttleBookingSchema(Schema):
    seats = fields.Integer(load_default=1, validate=between(1, 8))


class BikeBookingSchema(Schema):
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)

    @validates_schema
    def _order(self, data, **kwargs):
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError(lazy_gettext("The booking must end after it starts."), "ends_at")


class AnswerSchema(Schema):
    answer = fields.String(required=True, validate=one_of(("accept", "decline")))
