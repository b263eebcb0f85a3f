"""API for the territory's events (business leaders' meetings, Start Up de Territoire evenings) and their ideas."""
from flask import abort
from flask_login import current_user
from marshmallow import ValidationError, fields
from sqlalchemy import func, select

from coopserv.accounts.access import employer, is_member
from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.common import get_or_404, invalid, paginate, paginate_list, refuse
from coopserv.extensions import db
from coopserv.governance import events as services
from coopserv.governance.models import EVENT_KINDS, EventRegistration, GovernanceEvent, IdeaPitch, IdeaVote
from coopserv.governance.services import NotAllowed
from coopserv.schemas import Schema, Text, length, one_of

blp = territory_api_blueprint("api_events", __name__, "", "Events of the territory and the ideas pitched there.")


class EventOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.DateTime()
    place = fields.String()
    description = fields.String()
    registrations = fields.Integer(metadata={"description": "People registered."})
    registered = fields.Boolean(metadata={"description": "Whether the token's owner is registered."})


class EventCreateSchema(Schema):
    kind = fields.String(required=True, validate=one_of(list(EVENT_KINDS)))
    title = Text(required=True, validate=length(min=3, max=160))
    starts_at = fields.DateTime(required=True, format="iso")
    place = Text(load_default="", validate=length(max=200))
    description = Text(load_default="", multiline=True, validate=length(max=4000))


class IdeaCreateSchema(Schema):
    title = Text(required=True, validate=length(min=3, max=160))
    pitch = Text(required=True, multiline=True, validate=length(min=10, max=4000))


class IdeaOutSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    title = fields.String()
    pitch = fields.String()
    votes = fields.Integer()
    voted = fields.Boolean(metadata={"description": "Whether the token's owner voted for it."})
    project_id = fields.Integer(allow_none=True, metadata={"description": "The service project it became."})
    submitted_at = fields.DateTime()


class RegisteredSchema(Schema):
    event_id = fields.Integer()
    registered = fields.Boolean()


class ProjectCreatedSchema(Schema):
    idea_id = fields.Integer()
    project_id = fields.Integer()


def _require_member():
    if not is_member():
        abort(403, "Only members of the territory read its events.")


def _with_counts(events):
    """Attach registration counts and the token owner's registrations (two queries for the page)."""
    ids = [e.id for e in events]
    counts = dict(db.session.execute(select(EventRegistration.event_id, func.count(EventRegistration.id))
                                     .where(EventRegistration.event_id.in_(ids))
                                     .group_by(EventRegistration.event_id)).all()) if ids else {}
    mine = set(db.session.scalars(select(EventRegistration.event_id).where(
        EventRegistration.event_id.in_(ids), EventRegistration.user_id == current_user.id))) if ids else set()
    return [{"id": e.id, "kind": e.kind, "title": e.title, "starts_at": e.starts_at, "place": e.place,
             "description": e.description, "registrations": counts.get(e.id, 0), "registered": e.id in mine}
            for e in events]


@blp.route("/events/")
@blp.response(200, EventOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_events(pagination_parameters):
    """The territory's events, latest first."""
    _require_member()
    query = select(GovernanceEvent).order_by(GovernanceEvent.starts_at.desc(), GovernanceEvent.id.desc())
    return _with_counts(paginate(query, pagination_parameters))


@blp.route("/events/", methods=["POST"])
@blp.arguments(EventCreateSchema)
@blp.response(201, EventOutSchema)
@blp.doc(security=[BEARER])
def create_event(data):
    """Plan an event (territory admins)."""
    require_role(TERRITORY_ADMIN)
    return _with_counts([services.create_event(data, current_user)])[0]


@blp.route("/events/<int:event_id>")
@blp.response(200, EventOutSchema)
@blp.doc(security=[BEARER])
def get_event(event_id):
    _require_member()
    return _with_counts([get_or_404(GovernanceEvent, event_id)])[0]


@blp.route("/events/<int:event_id>/registrations", methods=["POST"])
@blp.response(201, RegisteredSchema)
@blp.doc(security=[BEARER])
def register(event_id):
    """Register the token's owner (registering twice changes nothing)."""
    _require_member()
    event = get_or_404(GovernanceEvent, event_id)
    services.register(event, current_user, employer())
    return {"event_id": event.id, "registered": True}


@blp.route("/events/<int:event_id>/ideas")
@blp.response(200, IdeaOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_ideas(event_id, pagination_parameters):
    """The event's ideas, most voted first."""
    _require_member()
    event = get_or_404(GovernanceEvent, event_id)
    voted = services.voted_idea_ids(event, current_user)
    rows = [_idea(idea, votes, voted) for idea, votes in services.ranking(event)]
    return paginate_list(rows, pagination_parameters)


def _idea(idea, votes, voted):
    return {"id": idea.id, "event_id": idea.event_id, "title": idea.title, "pitch": idea.pitch, "votes": votes,
            "voted": idea.id in voted, "project_id": idea.project_id, "submitted_at": idea.submitted_at}


@blp.route("/events/<int:event_id>/ideas", methods=["POST"])
@blp.arguments(IdeaCreateSchema)
@blp.response(201, IdeaOutSchema)
@blp.doc(security=[BEARER])
def pitch(data, event_id):
    """Pitch an idea; only people registered to the event pitch."""
    _require_member()
    event = get_or_404(GovernanceEvent, event_id)
    try:
        idea = services.submit_idea(event, current_user, data)
    except NotAllowed:
        refuse(403, "Register to the event to pitch an idea.")
    return _idea(idea, 0, set())


def _votes(idea):
    return db.session.scalar(select(func.count(IdeaVote.id)).filter_by(idea_id=idea.id))


@blp.route("/ideas/<int:idea_id>/votes", methods=["POST"])
@blp.response(201, IdeaOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The token's owner already voted for this idea.")
@blp.doc(security=[BEARER])
def vote(idea_id):
    """Vote for an idea, once; only people registered to its event vote."""
    _require_member()
    idea = get_or_404(IdeaPitch, idea_id)
    try:
        services.vote_for_idea(idea, current_user)
    except NotAllowed:
        refuse(403, "Register to the event to vote.")
    except ValidationError as error:
        invalid(error.messages, 409, "You already voted for this idea.")
    return _idea(idea, _votes(idea), {idea.id})


@blp.route("/ideas/<int:idea_id>/project", methods=["POST"])
@blp.response(201, ProjectCreatedSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="This idea is already a service project.")
@blp.doc(security=[BEARER])
def idea_to_project(idea_id):
    """Turn an idea into a service project at the idea stage (territory admins)."""
    require_role(TERRITORY_ADMIN)
    idea = get_or_404(IdeaPitch, idea_id)
    try:
        project = services.idea_to_project(idea, current_user)
    except ValidationError as error:
        invalid(error.messages, 409, "This idea is already a service project.")
    return {"idea_id": idea.id, "project_id": project.id}
