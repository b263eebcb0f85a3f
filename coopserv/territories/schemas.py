"""Input schema for creating or editing a territory."""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from coopserv.schemas import Schema, length, one_of
from coopserv.timeutil import DEFAULT_TIMEZONE, is_valid_timezone

def _known_zone(value):
    if not is_valid_timezone(value):
        raise ValidationError(_l("Choose a time zone such as Europe/Paris."))


COLOR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error=_l("Give a colour as #rrggbb."))


class TerritorySchema(Schema):
    slug = fields.String(required=True, validate=[length(min=2, max=60), validate.Regexp(
        r"^[a-z0-9]+(-[a-z0-9]+)*$", error=_l("Lower-case letters, digits and dashes only."))])
    name = fields.String(required=True, validate=length(min=2, max=120))
    region = fields.String(load_default="", validate=length(max=120))
    primary_color = fields.String(load_default="#1d5e3a", validate=COLOR)
    accent_color = fields.String(load_default="#f2c14e", validate=COLOR)
    logo_url = fields.String(load_default="", validate=length(max=300))
    default_language = fields.String(load_default="fr", validate=one_of(("fr", "en")))
    host = fields.String(validate=length(max=200))
    timezone = fields.String(load_default=DEFAULT_TIMEZONE, validate=_known_zone)


class TerritoryTimezoneSchema(Schema):
    """What a territory admin changes on the territory page."""

    timezone = fields.String(required=True, validate=_known_zone)
