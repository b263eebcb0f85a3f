"""API for governance: the committee and its balance, charter versions and signatures, meetings, agenda items,
votes and their results, action items and the risk register.

The same rules as the portal: members of the territory read; territory admins
manage the committee, charter, meetings and risks; committee members vote;
company referents sign the charter for their company; an action's owner moves
it on. A vote's rule comes from the charter in force and may only be stricter.
"""
from dataclasses import asdict

from flask import abort
from flask_login import current_user
from marshmallow import ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.accounts.access import has_role, is_territory_admin, referent_organizations
from coopserv.accounts.models import GOVERNANCE_MEMBER, TERRITORY_ADMIN
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.fields import UtcDateTime, as_utc, invalid, page_of, row_or_404
from coopserv.governance import risks, services
from coopserv.governance.models import (
    ACTION_STATUSES,
    ActionItem,
    AgendaItem,
    CharterSignature,
    CharterVersion,
    Meeting,
    Risk,
)
from coopserv.governance.schemas import (
    ActionItemSchema,
    ActionStatusSchema,
    AgendaItemSchema,
    CharterVersionSchema,
    CommitteeMemberSchema,
    MeetingSchema,
    RiskSchema,
    SignatureSchema,
    VoteSchema,
)
from coopserv.schemas import Schema, one_of

blp = territory_api_blueprint("api_governance", __name__, "/governance",
                              "Governance: committee, charter, meetings, votes, action items, risks.")


# -- output schemas ---------------------------------------------------------------------------------
class CollegeCountsSchema(Schema):
    public = fields.Integer()
    companies = fields.Integer()
    associations = fields.Integer()


class CommitteeMemberOutSchema(Schema):
    user_id = fields.Function(lambda member: member.user.id)
    name = fields.Function(lambda member: member.user.name)
    organization_id = fields.Function(lambda member: member.organization.id if member.organization else None)
    college = fields.String(metadata={"description": "public, companies or associations."})


class CommitteeOutSchema(Schema):
    members = fields.List(fields.Nested(CommitteeMemberOutSchema))
    counts = fields.Nested(CollegeCountsSchema)
    total = fields.Integer()
    private_share = fields.Integer(metadata={"description": "Percent of members from companies and associations."})
    minimum_private_share = fields.Integer()
    balanced = fields.Boolean(metadata={"description": "Whether the private share meets the territory's minimum."})


class RuleOutSchema(Schema):
    quorum_percent = fields.Integer()
    majority = fields.String(metadata={"description": "simple or two_thirds."})
    each_college = fields.Boolean()


class DecisionRulesOutSchema(Schema):
    perennial = fields.Nested(RuleOutSchema)
    iterate = fields.Nested(RuleOutSchema)
    stopped = fields.Nested(RuleOutSchema)
    general = fields.Nested(RuleOutSchema)


class CharterVersionOutSchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    text = fields.String()
    adopted_on = fields.Date()
    decision_rules = fields.Function(lambda version: {kind: asdict(rule) for kind, rule in
                                                      services.decision_rules(version).items()},
                                     metadata={"description": "The voting rule of each kind of decision."})
    signatures = fields.Function(lambda version: len(version.signatures))


class SignatureOutSchema(Schema):
    id = fields.Integer()
    version_number = fields.Function(lambda signature: signature.version.number)
    organization_id = fields.Integer()
    organization = fields.Function(lambda signature: signature.organization.name)
    signed_on = fields.Date()
    funding_amount = fields.Float()
    staff_days = fields.Integer()
    premises = fields.String()
    quality_pledge = fields.String()


class TotalsSchema(Schema):
    for_ = fields.Integer(data_key="for", attribute="for")
    against = fields.Integer()
    abstain = fields.Integer()


class ByCollegeSchema(Schema):
    public = fields.Nested(TotalsSchema)
    companies = fields.Nested(TotalsSchema)
    associations = fields.Nested(TotalsSchema)


class TallyOutSchema(Schema):
    totals = fields.Nested(TotalsSchema)
    by_college = fields.Nested(ByCollegeSchema)
    members = fields.Integer()
    voters = fields.Integer()
    quorum_met = fields.Boolean()
    failed_colleges = fields.List(fields.String(), metadata={
        "description": "Colleges that did not give a majority, when the rule asks one in each college."})


class AgendaItemOutSchema(Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    proposal = fields.String()
    vote_status = fields.String(metadata={"description": "none, open or closed."})
    quorum_percent = fields.Integer()
    majority = fields.String()
    each_college = fields.Boolean()
    charter_version = fields.Function(lambda item: item.charter_version.number if item.charter_version else None,
                                      metadata={"description": "The charter version whose rule the vote took."})
    project_id = fields.Integer(allow_none=True)
    project_outcome = fields.String(allow_none=True)
    collective_need_id = fields.Integer(allow_none=True)
    result = fields.String(allow_none=True, metadata={"description": "adopted, rejected or no_quorum once closed."})
    result_reason = fields.String(allow_none=True)
    tally = fields.Nested(TallyOutSchema, attribute="tally_out", allow_none=True, metadata={
        "description": "The count: stored once closed, as it stands while open, none without a vote."})
    closed_at = UtcDateTime(allow_none=True)


class MeetingOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    starts_at = UtcDateTime()
    place = fields.String()
    minutes = fields.String()
    invitations_sent_at = UtcDateTime(allow_none=True)
    item_ids = fields.Function(lambda meeting: [item.id for item in meeting.items])
    present_ids = fields.Function(lambda meeting: sorted(a.user_id for a in meeting.attendances if a.present))


class VoteOutSchema(Schema):
    item_id = fields.Integer()
    choice = fields.String()


class ActionItemOutSchema(Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    title = fields.String()
    owner_id = fields.Integer(allow_none=True)
    due_on = fields.Date()
    status = fields.String(metadata={"description": "todo, in_progress or done."})


class RiskOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    category = fields.String()
    likelihood = fields.Integer()
    impact = fields.Integer()
    score = fields.Integer(metadata={"description": "Likelihood times impact, 1 to 25."})
    mitigation = fields.String()
    owner_id = fields.Integer(allow_none=True)
    review_on = fields.Date()


class ActionQuerySchema(Schema):
    status = fields.String(validate=one_of(list(ACTION_STATUSES)))
    overdue = fields.Boolean(load_default=False, metadata={"description": "Only actions past their due date."})


# -- helpers ----------------------------------------------------------------------------------------
def _require_admin():
    require_role(TERRITORY_ADMIN)


def with_tally(item):
    """The item for output: the stored tally once closed, the live count while open."""
    if item.vote_status == "open":
        count = services.live_count(item)
        item.tally_out = {"totals": count.totals, "by_college": count.by_college, "members": count.members,
                          "voters": count.voters, "quorum_met": count.quorum_met,
                          "failed_colleges": count.failed_colleges}
    else:
        item.tally_out = item.tally
    return item


# -- committee --------------------------------------------------------------------------------------
@blp.route("/committee")
@blp.response(200, CommitteeOutSchema)
@blp.doc(security=[BEARER])
def committee():
    """The committee's members by college and its balance between public and private members."""
    return _committee()


def _committee():
    members = services.committee_members()
    balance = services.balance(members)
    return {"members": members, "counts": balance["counts"], "total": balance["total"],
            "private_share": balance["private_share"], "minimum_private_share": balance["minimum"],
            "balanced": balance["met"]}


@blp.route("/committee/members", methods=["POST"])
@blp.arguments(CommitteeMemberSchema)
@blp.response(201, CommitteeOutSchema)
@blp.doc(security=[BEARER])
def add_member(data):
    """Seat a member of the territory on the committee (territory admins)."""
    _require_admin()
    try:
        services.add_member(data, current_user)
    except ValidationError as error:
        invalid(error)
    return _committee()


# -- charter ----------------------------------------------------------------------------------------
@blp.route("/charter/versions")
@blp.response(200, CharterVersionOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def charter_versions(pagination_parameters):
    """Versions of the charter, the one in force first, each with its voting rules."""
    return page_of(select(CharterVersion).order_by(CharterVersion.number.desc()), pagination_parameters,
                   selectinload(CharterVersion.signatures))


@blp.route("/charter/versions", methods=["POST"])
@blp.arguments(CharterVersionSchema)
@blp.response(201, CharterVersionOutSchema)
@blp.doc(security=[BEARER])
def add_charter_version(data):
    """Adopt a new version of the charter with the voting rule of each kind of decision (territory admins)."""
    _require_admin()
    try:
        return services.add_charter_version(data, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/charter/signatures")
@blp.response(200, SignatureOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def signatures(pagination_parameters):
    """Who signed the charter in force, with what each committed to bring."""
    current = services.current_charter()
    if current is None:
        pagination_parameters.item_count = 0
        return []
    return page_of(select(CharterSignature).filter_by(version_id=current.id).order_by(CharterSignature.id),
                   pagination_parameters, selectinload(CharterSignature.organization),
                   selectinload(CharterSignature.version))


@blp.route("/charter/signatures", methods=["POST"])
@blp.arguments(SignatureSchema)
@blp.response(201, SignatureOutSchema)
@blp.doc(security=[BEARER])
def sign_charter(data):
    """Sign the charter in force for an organization: admins for any, company referents for theirs."""
    allowed = None if is_territory_admin() else {o.id for o in referent_organizations()}
    if allowed is not None and not allowed:
        abort(403, "Only territory admins and company referents sign the charter.")
    try:
        return services.sign_charter(data, current_user, allowed)
    except ValidationError as error:
        invalid(error)


# -- meetings and votes -----------------------------------------------------------------------------
@blp.route("/meetings")
@blp.response(200, MeetingOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_meetings(pagination_parameters):
    """The committee's meetings, the latest first."""
    return page_of(select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc()), pagination_parameters,
                   selectinload(Meeting.items), selectinload(Meeting.attendances))


@blp.route("/meetings", methods=["POST"])
@blp.arguments(MeetingSchema)
@blp.response(201, MeetingOutSchema)
@blp.doc(security=[BEARER])
def create_meeting(data):
    """Plan a meeting (territory admins); a time with an offset is stored in UTC."""
    _require_admin()
    return services.create_meeting(dict(data, starts_at=as_utc(data["starts_at"])), current_user)


@blp.route("/meetings/<int:meeting_id>")
@blp.response(200, MeetingOutSchema)
@blp.doc(security=[BEARER])
def get_meeting(meeting_id):
    """One meeting with its agenda's items and who attended."""
    return row_or_404(Meeting, meeting_id)


@blp.route("/meetings/<int:meeting_id>/items")
@blp.response(200, AgendaItemOutSchema(many=True))
@blp.doc(security=[BEARER])
def list_items(meeting_id):
    """The meeting's agenda, in order, with each vote's rule and result."""
    meeting = row_or_404(Meeting, meeting_id)
    return [with_tally(item) for item in meeting.items]


@blp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@blp.arguments(AgendaItemSchema)
@blp.response(201, AgendaItemOutSchema)
@blp.doc(security=[BEARER])
def add_item(data, meeting_id):
    """Add an item (territory admins); with a vote, or a project decision, it takes the charter's rule."""
    _require_admin()
    meeting = row_or_404(Meeting, meeting_id)
    try:
        return with_tally(services.add_agenda_item(meeting, data, current_user))
    except ValidationError as error:
        invalid(error)


@blp.route("/items/<int:item_id>")
@blp.response(200, AgendaItemOutSchema)
@blp.doc(security=[BEARER])
def get_item(item_id):
    """One agenda item: its rule, the count as it stands or its result, and the project it decides."""
    return with_tally(row_or_404(AgendaItem, item_id))


@blp.route("/items/<int:item_id>/votes", methods=["POST"])
@blp.arguments(VoteSchema)
@blp.response(200, VoteOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="This vote is closed.")
@blp.doc(security=[BEARER])
def vote(data, item_id):
    """Vote, or change one's vote, while the vote is open (committee members)."""
    item = row_or_404(AgendaItem, item_id)
    if not services.is_committee_member(current_user):
        abort(403, "Only committee members vote.")
    try:
        services.cast_vote(item, current_user, data["choice"])
    except ValidationError as error:
        invalid(error, 409)
    return {"item_id": item.id, "choice": data["choice"]}


@blp.route("/items/<int:item_id>/close", methods=["POST"])
@blp.response(200, AgendaItemOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="This vote is already closed.")
@blp.doc(security=[BEARER])
def close_vote(item_id):
    """Close the vote and count it (territory admins); a vote on a project records its decision or "not adopted"."""
    _require_admin()
    item = row_or_404(AgendaItem, item_id)
    try:
        services.close_vote(item, current_user)
    except ValidationError as error:
        invalid(error, 409)
    return with_tally(item)


# -- action items -----------------------------------------------------------------------------------
@blp.route("/actions")
@blp.arguments(ActionQuerySchema, location="query")
@blp.response(200, ActionItemOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_actions(filters, pagination_parameters):
    """Action items of every meeting, soonest due first."""
    query = select(ActionItem).order_by(ActionItem.due_on, ActionItem.id)
    if filters.get("status"):
        query = query.where(ActionItem.status == filters["status"])
    if filters.get("overdue"):
        query = query.where(ActionItem.status != "done", ActionItem.due_on < services.today())
    return page_of(query, pagination_parameters)


@blp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
@blp.arguments(ActionItemSchema)
@blp.response(201, ActionItemOutSchema)
@blp.doc(security=[BEARER])
def add_action(data, meeting_id):
    """Record who does what after a meeting (territory admins); the owner is notified."""
    _require_admin()
    meeting = row_or_404(Meeting, meeting_id)
    try:
        return services.add_action(meeting, data, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/actions/<int:action_id>", methods=["PATCH"])
@blp.arguments(ActionStatusSchema)
@blp.response(200, ActionItemOutSchema)
@blp.doc(security=[BEARER])
def set_action_status(data, action_id):
    """Move an action on (its owner or a territory admin)."""
    action = row_or_404(ActionItem, action_id)
    if not (is_territory_admin() or action.owner_id == current_user.id):
        abort(403, "Only the action's owner and territory admins change it.")
    return services.set_action_status(action, data["status"], current_user)


# -- risks ------------------------------------------------------------------------------------------
def _require_risk_reader():
    if not (is_territory_admin() or has_role(GOVERNANCE_MEMBER)):
        abort(403, "The risk register is for territory admins and committee members.")


@blp.route("/risks")
@blp.response(200, RiskOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_risks(pagination_parameters):
    """The "what happens if…" register, the highest scores first."""
    _require_risk_reader()
    query = select(Risk).order_by((Risk.likelihood * Risk.impact).desc(), Risk.review_on, Risk.id)
    return page_of(query, pagination_parameters)


@blp.route("/risks", methods=["POST"])
@blp.arguments(RiskSchema)
@blp.response(201, RiskOutSchema)
@blp.doc(security=[BEARER])
def add_risk(data):
    """Add a risk with its mitigation, owner and review date (territory admins)."""
    _require_admin()
    try:
        return risks.save_risk(data, actor=current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/risks/<int:risk_id>", methods=["PUT"])
@blp.arguments(RiskSchema)
@blp.response(200, RiskOutSchema)
@blp.doc(security=[BEARER])
def update_risk(data, risk_id):
    """Update a risk (territory admins)."""
    _require_admin()
    risk = row_or_404(Risk, risk_id)
    try:
        return risks.save_risk(data, risk=risk, actor=current_user)
    except ValidationError as error:
        invalid(error)
