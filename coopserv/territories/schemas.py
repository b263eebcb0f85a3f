"""Input schema for creating or editing a territory."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from coopserv.schemas import Schema, length, one_of

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
