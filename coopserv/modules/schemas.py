"""Input schemas for service modules (the plugin's config schema validates ``config``)."""
from marshmallow import fields

from coopserv.modules.models import ACCESS_RULES, QUOTA_KINDS, STAGES
from coopserv.schemas import Schema, at_least, one_of


class ModuleSettingsSchema(Schema):
    stage = fields.String(required=True, validate=one_of(STAGES))
    access = fields.String(load_default="open", validate=one_of(ACCESS_RULES))
    pilot_organization_ids = fields.List(fields.Integer(), load_default=list)


class ModuleMemberSchema(Schema):
    organization_id = fields.Integer(required=True)
    quota_kind = fields.String(load_default="none", validate=one_of(QUOTA_KINDS))
    quota_value = fields.Integer(validate=at_least(1))
