"""The fields a territory admin fills in for each required page; the rest is generated."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from coopserv.schemas import Schema, between, length


class LegalNoticeSchema(Schema):
    publisher = fields.String(required=True, validate=length(min=2, max=200))
    publisher_address = fields.String(load_default="", validate=length(max=400))
    publisher_id = fields.String(load_default="", validate=length(max=60))
    director = fields.String(required=True, validate=length(min=2, max=120))
    contact_email = fields.Email(required=True, validate=length(max=200))
    host_name = fields.String(required=True, validate=length(min=2, max=200))
    host_address = fields.String(load_default="", validate=length(max=400))
    extra = fields.String(load_default="", validate=length(max=5000))


class PrivacySchema(Schema):
    controller = fields.String(required=True, validate=length(min=2, max=200))
    dpo_contact = fields.String(required=True, validate=length(min=3, max=200))
    extra = fields.String(load_default="", validate=length(max=5000))


class AccessibilitySchema(Schema):
    contact_email = fields.Email(required=True, validate=length(max=200))
    contact_address = fields.String(load_default="", validate=length(max=400))
    non_compliances = fields.String(load_default="", validate=length(max=5000))
    derogations = fields.String(load_default="", validate=length(max=5000))
    exempted = fields.String(load_default="", validate=length(max=5000))
    #: A manual RGAA audit, when one was made: it replaces the automated measurement.
    audit_rate = fields.Float(load_default=None, allow_none=True, validate=between(0, 100))
    audit_date = fields.Date(load_default=None, allow_none=True)
    auditor = fields.String(load_default="", validate=length(max=200))
    statement_date = fields.Date(load_default=None, allow_none=True)


SCHEMAS = {"legal_notice": LegalNoticeSchema, "privacy": PrivacySchema, "accessibility": AccessibilitySchema}
TITLES = {"accessibility": _l("Accessibility"), "legal_notice": _l("Legal notice"),
          "privacy": _l("Personal data")}
