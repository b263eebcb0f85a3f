"""Output and input schemas of the REST API."""
from marshmallow import fields

from coopserv.modules.models import ACCESS_RULES, STAGES
from coopserv.schemas import Schema, one_of
from coopserv.timeutil import LocalDateTime


class ServiceSummarySchema(Schema):
    service_key = fields.String()
    label = fields.String()
    stage = fields.String()


class TerritorySchema(Schema):
    slug = fields.String()
    name = fields.String()
    region = fields.String()
    default_language = fields.String()
    services = fields.List(fields.Nested(ServiceSummarySchema))


class ModuleSchema(Schema):
    service_key = fields.String()
    enabled = fields.Boolean()
    stage = fields.String()
    access = fields.String()
    config = fields.Dict()
    pilot_organization_ids = fields.List(fields.Integer())


class ModuleEnableSchema(Schema):
    service_key = fields.String(required=True)
    stage = fields.String(load_default="prototype", validate=one_of(("prototype", "pilot", "perennial")))
    config = fields.Dict(load_default=dict)


class ModuleUpdateSchema(Schema):
    stage = fields.String(validate=one_of(STAGES))
    access = fields.String(validate=one_of(ACCESS_RULES))
    pilot_organization_ids = fields.List(fields.Integer())
    config = fields.Dict()
    enabled = fields.Boolean()


class StatusChangeSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_id = fields.Integer(allow_none=True)
    comment = fields.String()
    #: ISO 8601 with the territory's offset ("2026-12-03T18:30:00+01:00"), like every time the API gives.
    at = LocalDateTime()


class ServiceRequestSchema(Schema):
    id = fields.Integer()
    service_key = fields.Function(lambda r: r.module.service_key)
    status = fields.String()
    requester_id = fields.Integer(allow_none=True)
    organization_id = fields.Integer(allow_none=True)
    payload = fields.Dict()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    history = fields.List(fields.Nested(StatusChangeSchema))
    #: Transitions the token's owner may apply now (set by the view).
    allowed_transitions = fields.List(fields.String(), attribute="allowed_transitions", dump_default=list)


class RequestCreateSchema(Schema):
    service_key = fields.String(required=True)
    payload = fields.Dict(required=True, metadata={
        "description": "Validated by the service's request schema (see the <service_key>_request_payload schemas)."})


class RequestQuerySchema(Schema):
    service_key = fields.String()
    status = fields.String()
    mine = fields.Boolean(load_default=False, metadata={"description": "Only the token owner's requests."})


class TransitionSchema(Schema):
    transition = fields.String(required=True)
    comment = fields.String(load_default="")


class IndicatorSchema(Schema):
    key = fields.String()
    label = fields.String()
    unit = fields.String()
    service_key = fields.String(allow_none=True)
    description = fields.String()


class SeriesQuerySchema(Schema):
    start = fields.Date(required=True, metadata={"description": "First month (any day of it)."})
    end = fields.Date(required=True, metadata={"description": "Last month (any day of it), included."})


class SeriesPointSchema(Schema):
    month = fields.Date()
    value = fields.Float(allow_none=True)


class SeriesSchema(Schema):
    indicator = fields.Nested(IndicatorSchema)
    service_key = fields.String(allow_none=True)
    points = fields.List(fields.Nested(SeriesPointSchema))
