"""Input schemas for organizations."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from coopserv.organizations.models import ORGANIZATION_KINDS, SIZE_BANDS
from coopserv.schemas import Schema, Text, between, length, one_of

#: More employees than any French company has: a typing mistake.
MAX_EMPLOYEES = 1_000_000


class OrganizationSchema(Schema):
    name = Text(required=True, validate=length(min=2, max=160))
    kind = fields.String(load_default="company", validate=one_of(ORGANIZATION_KINDS))
    siret = fields.String(validate=validate.Regexp(r"^[0-9]{14}\Z", error=_l("A SIRET has exactly 14 digits.")))
    size_band = fields.String(load_default="1-9", validate=one_of(SIZE_BANDS))
    employee_count = fields.Integer(load_default=0, validate=between(0, MAX_EMPLOYEES))
    sector = Text(load_default="", validate=length(max=120))
    business_park = Text(load_default="", validate=length(max=120))
    address = Text(load_default="", multiline=True, validate=length(max=300))
