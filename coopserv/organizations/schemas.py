"""Input schemas for organizations."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from coopserv.organizations.models import ORGANIZATION_KINDS, SIZE_BANDS
from coopserv.schemas import Schema, at_least, length, one_of


class OrganizationSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=160))
    kind = fields.String(load_default="company", validate=one_of(ORGANIZATION_KINDS))
    siret = fields.String(validate=validate.Regexp(r"^\d{14}$", error=_l("A SIRET has exactly 14 digits.")))
    size_band = fields.String(load_default="1-9", validate=one_of(SIZE_BANDS))
    employee_count = fields.Integer(load_default=0, validate=at_least(0))
    sector = fields.String(load_default="", validate=length(max=120))
    business_park = fields.String(load_default="", validate=length(max=120))
