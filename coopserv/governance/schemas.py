"""Input schemas of governance: committee, charter, meetings and votes, action items, events, risks."""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from coopserv.schemas import Schema, amount_between, between, database_id, length, one_of, text
from coopserv.timeutil import LocalDateTime

from .models import ACTION_STATUSES, EVENT_KINDS, RISK_CATEGORIES
from .voting import CHOICES, COLLEGES, DECISION_KINDS, MAJORITIES


class SettingsSchema(Schema):
    min_private_share = fields.Integer(required=True, validate=between(0, 100))


class CommitteeMemberSchema(Schema):
    """Seat a member of the territory on the committee; the college defaults from their organization."""

    user_id = fields.Integer(required=True, validate=database_id)
    organization_id = fields.Integer(load_default=None, validate=database_id)
    college = fields.String(load_default=None, validate=one_of(COLLEGES))


class CollegeSchema(Schema):
    college = fields.String(required=True, validate=one_of(COLLEGES))


class DecisionRuleSchema(Schema):
    """The voting rule the charter sets for one kind of decision."""

    quorum_percent = fields.Integer(load_default=50, validate=between(0, 100))
    majority = fields.String(load_default="simple", validate=one_of(MAJORITIES))
    each_college = fields.Boolean(load_default=False)


class CharterVersionSchema(Schema):
    """A new version of the charter, with the voting rule of each kind of decision (default rule if left out)."""

    text = fields.String(required=True, validate=text(min=20, max=20000))
    adopted_on = fields.Date(required=True)
    decision_rules = fields.Dict(keys=fields.String(validate=one_of(DECISION_KINDS)),
                                 values=fields.Nested(DecisionRuleSchema), load_default=dict)


class SignatureSchema(Schema):
    """An organization's signature of the current charter with its commitments."""

    organization_id = fields.Integer(required=True, validate=database_id)
    funding_amount = fields.Decimal(load_default=0, places=2, validate=amount_between(0, 10_000_000), as_string=False,
                                    metadata={"default": 0})
    staff_days = fields.Integer(load_default=0, validate=between(0, 3650))
    premises = fields.String(load_default="", validate=text(max=300))
    quality_pledge = fields.String(load_default="", validate=text(max=4000))


class MeetingSchema(Schema):
    title = fields.String(required=True, validate=text(min=3, max=160))
    starts_at = LocalDateTime(required=True, format="iso")
    place = fields.String(load_default="", validate=text(max=200))


class MinutesSchema(Schema):
    minutes = fields.String(required=True, validate=text(max=50000))


class AttendanceSchema(Schema):
    present_ids = fields.List(fields.Integer(validate=database_id), load_default=list,
                              validate=validate.Length(max=500))


class AgendaItemSchema(Schema):
    """An agenda item; with ``with_vote`` it carries a proposal and the rule deciding it."""

    title = fields.String(required=True, validate=text(min=3, max=200))
    proposal = fields.String(load_default="", validate=text(max=4000))
    with_vote = fields.Boolean(load_default=False)
    #: Left out, the rule is the one the charter in force sets for this kind of decision;
    #: given, it may be stricter than the charter's, never weaker.
    quorum_percent = fields.Integer(load_default=None, validate=between(0, 100))
    majority = fields.String(load_default=None, validate=one_of(MAJORITIES))
    each_college = fields.Boolean(load_default=None)
    project_id = fields.Integer(load_default=None, validate=database_id)
    project_outcome = fields.String(load_default=None, validate=one_of(("perennial", "iterate", "stopped")))

    @validates_schema
    def _proposal_for_votes(self, data, **kwargs):
        if data.get("with_vote") and not data.get("proposal"):
            raise ValidationError(_l("Write the proposal the committee votes on."), "proposal")
        if data.get("project_id") and not data.get("project_outcome"):
            raise ValidationError(_l("Choose the decision proposed for the project."), "project_outcome")


class VoteSchema(Schema):
    choice = fields.String(required=True, validate=one_of(CHOICES))


class ActionItemSchema(Schema):
    title = fields.String(required=True, validate=text(min=3, max=200))
    owner_id = fields.Integer(load_default=None, validate=database_id)
    due_on = fields.Date(required=True)


class ActionStatusSchema(Schema):
    status = fields.String(required=True, validate=one_of(list(ACTION_STATUSES)))


class EventSchema(Schema):
    kind = fields.String(required=True, validate=one_of(list(EVENT_KINDS)))
    title = fields.String(required=True, validate=length(min=3, max=160))
    starts_at = LocalDateTime(required=True, format="iso")
    place = fields.String(load_default="", validate=length(max=200))
    description = fields.String(load_default="", validate=length(max=4000))


class IdeaSchema(Schema):
    title = fields.String(required=True, validate=length(min=3, max=160))
    pitch = fields.String(required=True, validate=length(min=10, max=4000))


class RiskSchema(Schema):
    title = fields.String(required=True, validate=text(min=3, max=200))
    category = fields.String(load_default="other", validate=one_of(list(RISK_CATEGORIES)))
    likelihood = fields.Integer(required=True, validate=between(1, 5))
    impact = fields.Integer(required=True, validate=between(1, 5))
    mitigation = fields.String(load_default="", validate=text(max=4000))
    owner_id = fields.Integer(load_default=None, validate=database_id)
    review_on = fields.Date(required=True)

