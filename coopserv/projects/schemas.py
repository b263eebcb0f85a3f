"""Input schemas of service projects: creation, edits, moves, targets, partners, costs, templates.

Every text refuses control characters, every id and number is bounded and
every date sane, so the HTML forms and the REST API refuse bad input with
field errors before anything reaches the database.
"""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from coopserv.schemas import Schema, amount_between, between, database_id, one_of, text

from .models import CONTRIBUTION_KINDS, STAGES

#: The largest target or amount a project deals with (what a NUMERIC(12, 2) column holds, with room).
MAX_VALUE = 1_000_000_000


def how_many(minimum, maximum):
    """A bound on how many values a list field holds."""
    return validate.Length(min=minimum, max=maximum, error=_l("Choose between {min} and {max} values."))


class ProjectSchema(Schema):
    title = fields.String(required=True, validate=text(min=4, max=200))
    summary = fields.String(load_default="", validate=text(max=4000))
    origin_text = fields.String(load_default="", validate=text(max=2000))
    service_key = fields.String(load_default=None, validate=text(max=60))
    lead_id = fields.Integer(load_default=None, validate=database_id)
    collective_need_ids = fields.List(fields.Integer(validate=database_id), load_default=list,
                                      validate=how_many(0, 100))
    partner_ids = fields.List(fields.Integer(validate=database_id), load_default=list, validate=how_many(0, 500))

    @validates_schema(skip_on_field_errors=False)
    def _has_origin(self, data, **kwargs):
        if not data.get("collective_need_ids") and not data.get("origin_text"):
            raise ValidationError(_l("Link a collective need or say where the idea comes from."), "origin_text")


class ProjectEditSchema(Schema):
    """What those allowed change on a project; only the fields given change."""

    title = fields.String(validate=text(min=4, max=200))
    summary = fields.String(validate=text(max=4000))
    service_key = fields.String(validate=text(min=1, max=60))
    lead_id = fields.Integer(validate=database_id)


class MoveSchema(Schema):
    to_stage = fields.String(required=True, validate=one_of(list(STAGES)))
    reason = fields.String(required=True, validate=text(min=3, max=2000))
    #: Opening the prototype without a steering committee must be acknowledged.
    no_committee_yet = fields.Boolean(load_default=False)


class PrototypeSchema(Schema):
    """The experiment: its period and the pilot organizations (targets are set separately)."""

    experiment_start = fields.Date(required=True)
    experiment_end = fields.Date(required=True)
    pilot_ids = fields.List(fields.Integer(validate=database_id), required=True, validate=how_many(1, 500))
    #: The service the prototype opens (a project launched from a need chooses it here).
    service_key = fields.String(load_default=None, validate=text(max=60))

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("experiment_start") and data.get("experiment_end") \
                and data["experiment_end"] <= data["experiment_start"]:
            raise ValidationError(_l("The experiment must end after it starts."), "experiment_end")


class TargetSchema(Schema):
    indicator_key = fields.String(required=True, validate=text(min=1, max=80))
    target_value = fields.Float(required=True, validate=between(0, MAX_VALUE))


class PartnerSchema(Schema):
    organization_id = fields.Integer(required=True, validate=database_id)
    pilot = fields.Boolean(load_default=False)
    commitment = fields.String(load_default="", validate=text(max=300))


class SatisfactionSchema(Schema):
    score = fields.Integer(required=True, validate=between(1, 5))
    comment = fields.String(load_default="", validate=text(max=2000))


class ContributionSchema(Schema):
    organization_id = fields.Integer(required=True, validate=database_id)
    period = fields.String(required=True, validate=text(min=4, max=20))
    kind = fields.String(required=True, validate=one_of(list(CONTRIBUTION_KINDS)))
    amount = fields.Decimal(required=True, places=2, validate=amount_between(0, MAX_VALUE))
    note = fields.String(load_default="", validate=text(max=200))


class CostKeySchema(Schema):
    running_cost = fields.Integer(required=True, validate=between(0, 100_000_000))
    public_share = fields.Integer(required=True, validate=between(0, 100))


class TemplateTargetSchema(Schema):
    indicator = fields.String(required=True, validate=text(min=1, max=80))
    target = fields.Float(required=True, validate=between(0, MAX_VALUE))


class ProjectTemplateSchema(Schema):
    """A replicable project ("essaimage"): configuration, targets and evaluation, no personal data."""

    format = fields.String(required=True, validate=one_of(["coopserv.project-template/1"]))
    title = fields.String(required=True, validate=text(min=4, max=200))
    summary = fields.String(load_default="", validate=text(max=4000))
    service_key = fields.String(required=True, validate=text(min=1, max=60))
    module_config = fields.Dict(load_default=dict)
    indicator_targets = fields.List(fields.Nested(TemplateTargetSchema), load_default=list)
    evaluation = fields.Dict(load_default=dict)
    source_territory = fields.String(load_default="", validate=text(max=120))
    running_cost = fields.Integer(load_default=0, validate=between(0, 100_000_000))
    public_share = fields.Integer(load_default=50, validate=between(0, 100))
