"""Input schemas of the network: events and their agenda, registrations, attendance, minutes, sheets, tokens."""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from coopserv.schemas import Id, Schema, Text, between, length, one_of, sane_date

from .models import EVENT_KINDS, PARTNER_ROLES


def at_most_items(count):
    return validate.Length(max=count, error=_l("At most {max} items."))


class NetworkSchema(Schema):
    slug = fields.String(required=True, validate=[length(min=2, max=60), validate.Regexp(
        r"^[a-z0-9]+(-[a-z0-9]+)*$", error=_l("Lower-case letters, digits and dashes only."))],
        metadata={"description": "The network's address: /n/<slug>/."})
    name = Text(required=True, validate=length(min=2, max=160))
    description = Text(load_default="", multiline=True, validate=length(max=4000))


class MemberTerritorySchema(Schema):
    """A territory to add to the network, named by the slug of its address (/t/<slug>/)."""

    territory = fields.String(required=True, validate=length(min=1, max=60),
                              metadata={"description": "The territory's slug."})


class NetworkPartnerSchema(Schema):
    """An organization acting at network level; saving a name already known updates it."""

    name = Text(required=True, validate=length(min=2, max=160))
    role = fields.String(load_default="partner", validate=one_of(list(PARTNER_ROLES)))
    description = Text(load_default="", multiline=True, validate=length(max=4000))


class NetworkCoordinatorSchema(Schema):
    """A coordinator, named by the e-mail of an existing account, optionally working for a partner."""

    email = fields.Email(required=True, validate=length(max=254))
    partner_id = Id(load_default=None, allow_none=True,
                    metadata={"description": "The partner (network-level organization) the person works for."})


class NetworkEventSchema(Schema):
    kind = fields.String(required=True, validate=one_of(list(EVENT_KINDS)))
    title = Text(required=True, validate=length(min=3, max=200))
    starts_on = fields.Date(required=True, validate=sane_date())
    ends_on = fields.Date(load_default=None, validate=sane_date())
    place = Text(load_default="", validate=length(max=200))
    host_territory_id = Id(load_default=None)
    description = Text(load_default="", multiline=True, validate=length(max=4000))
    capacity = fields.Integer(load_default=None, validate=between(1, 10_000))
    organiser_ids = fields.List(Id(), load_default=list, validate=at_most_items(20))

    @validates_schema
    def _dates(self, data, **kwargs):
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(_l("The event cannot end before it starts."), "ends_on")


class SeminarSessionSchema(Schema):
    starts_at = fields.Time(load_default=None)
    title = Text(required=True, validate=length(min=3, max=200))
    speaker = Text(load_default="", validate=length(max=200))


class RegistrationSchema(Schema):
    """Register oneself (no e-mail) or, for coordinators and territory admins, someone else by e-mail."""

    email = fields.Email(load_default=None, validate=length(max=254))
    from_territory_id = Id(load_default=None)


class AttendanceSchema(Schema):
    present_ids = fields.List(Id(), load_default=list, validate=at_most_items(10_000))


class MinutesSchema(Schema):
    minutes = Text(required=True, multiline=True, validate=length(max=50_000))


class PracticeSheetSchema(Schema):
    """What the publishing territory writes; results, costs and the template come from the project."""

    network_id = Id(required=True)
    context = Text(required=True, multiline=True, validate=length(min=10, max=8000))
    need = Text(required=True, multiline=True, validate=length(min=3, max=8000))
    service = Text(required=True, multiline=True, validate=length(min=3, max=8000))
    partners = Text(load_default="", multiline=True, validate=length(max=8000))
    costs = Text(load_default="", multiline=True, validate=length(max=8000))
    lessons = Text(required=True, multiline=True, validate=length(min=10, max=8000),
                   metadata={"description": "What the territory would do again (and what it would not)."})
    risk_ids = fields.List(Id(), load_default=list, validate=at_most_items(100))


class LibraryQuerySchema(Schema):
    q = Text(load_default="", validate=length(max=200))
    service_key = fields.String(load_default=None, validate=length(max=60))
