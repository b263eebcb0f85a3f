"""API for service projects: the list, a project with its stages, targets and decisions, and the moves of its lead.

The same rules as the portal: members read; territory admins create; a
project's lead and territory admins edit it, move it, set its experiment and
targets. Decisions are read here only: they come from committee votes (see the
governance endpoints).
"""
from flask import abort
from flask_login import current_user
from marshmallow import ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from coopserv.accounts.access import is_territory_admin
from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.fields import UtcDateTime, invalid, page_of, row_or_404
from coopserv.extensions import db
from coopserv.projects import services
from coopserv.projects.models import STAGES, ProjectDecision, ProjectEvent, ProjectPartner, ProjectTarget, ServiceProject
from coopserv.projects.schemas import (
    MoveSchema,
    ProjectEditSchema,
    ProjectSchema,
    PrototypeSchema,
    TargetSchema,
)
from coopserv.schemas import Schema, one_of

blp = territory_api_blueprint("api_projects", __name__, "/projects",
                              "Service projects: stages, experiment, targets, the committee's decisions.")


class ProjectTargetOutSchema(Schema):
    id = fields.Integer()
    indicator_key = fields.String()
    target_value = fields.Float()


class ProjectPartnerOutSchema(Schema):
    organization_id = fields.Integer()
    organization = fields.Function(lambda partner: partner.organization.name)
    pilot = fields.Boolean()
    commitment = fields.String()


class ProjectDecisionOutSchema(Schema):
    id = fields.Integer()
    outcome = fields.String(metadata={"description": "perennial, iterate or stopped."})
    decided_on = fields.Date()
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    votes_abstain = fields.Integer()
    note = fields.String()
    agenda_item_id = fields.Integer(allow_none=True, metadata={"description": "The committee vote that decided."})


class ProjectOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    origin_text = fields.String()
    service_key = fields.String(allow_none=True)
    stage = fields.String(metadata={"description": "idea, design, prototype, evaluation or decided."})
    outcome = fields.String(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    module_id = fields.Integer(allow_none=True)
    experiment_start = fields.Date(allow_none=True)
    experiment_end = fields.Date(allow_none=True)
    collective_need_ids = fields.Function(lambda project: [c.id for c in project.collective_needs])
    partners = fields.List(fields.Nested(ProjectPartnerOutSchema))
    targets = fields.List(fields.Nested(ProjectTargetOutSchema))
    decisions = fields.List(fields.Nested(ProjectDecisionOutSchema))
    created_at = UtcDateTime()


class ProjectEventOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "stage (a move), edited, or not_adopted (a vote that failed)."})
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String()
    details = fields.Dict(allow_none=True)
    agenda_item_id = fields.Integer(allow_none=True)
    at = UtcDateTime()


class TargetResultOutSchema(Schema):
    indicator_key = fields.String()
    target_value = fields.Float()
    measured = fields.Float(allow_none=True)
    reached = fields.Boolean()


class EvaluationOutSchema(Schema):
    results = fields.List(fields.Nested(TargetResultOutSchema))
    satisfaction_average = fields.Float(allow_none=True)
    satisfaction_answers = fields.Integer()


class ProjectQuerySchema(Schema):
    stage = fields.String(validate=one_of(list(STAGES)))


def _project(project_id):
    return row_or_404(ServiceProject, project_id)


def _output_options():
    """What ProjectOutSchema shows, one statement per collection (partners with their organizations)."""
    return (selectinload(ServiceProject.partners).joinedload(ProjectPartner.organization),
            selectinload(ServiceProject.targets), selectinload(ServiceProject.decisions),
            selectinload(ServiceProject.collective_needs))


def _require_mover(project):
    if not services.can_move(project, current_user, is_territory_admin()):
        abort(403, "Only the project's lead and territory admins change it.")


@blp.route("/")
@blp.arguments(ProjectQuerySchema, location="query")
@blp.response(200, ProjectOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_projects(filters, pagination_parameters):
    """The territory's service projects, newest first."""
    query = select(ServiceProject).order_by(ServiceProject.id.desc())
    if filters.get("stage"):
        query = query.where(ServiceProject.stage == filters["stage"])
    return page_of(query, pagination_parameters, *_output_options())


@blp.route("/", methods=["POST"])
@blp.arguments(ProjectSchema)
@blp.response(201, ProjectOutSchema)
@blp.doc(security=[BEARER])
def create_project(data):
    """Start a project at the idea stage (territory admins)."""
    require_role(TERRITORY_ADMIN)
    try:
        return services.create_project(data, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:project_id>")
@blp.response(200, ProjectOutSchema)
@blp.doc(security=[BEARER])
def get_project(project_id):
    """One project: its stage, experiment, partners, targets and decisions."""
    return row_or_404(ServiceProject, project_id, *_output_options())


@blp.route("/<int:project_id>", methods=["PATCH"])
@blp.arguments(ProjectEditSchema)
@blp.response(200, ProjectOutSchema)
@blp.doc(security=[BEARER])
def edit_project(data, project_id):
    """Change the title, description, service type (before the prototype) or lead (admins); kept in the story."""
    project = _project(project_id)
    _require_mover(project)
    try:
        return services.edit_project(project, data, current_user, may_change_lead=is_territory_admin())
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:project_id>/moves", methods=["POST"])
@blp.arguments(MoveSchema)
@blp.response(200, ProjectOutSchema)
@blp.doc(security=[BEARER])
def move_project(data, project_id):
    """Move the project one stage on (leaving evaluation takes a committee vote, not a move)."""
    project = _project(project_id)
    _require_mover(project)
    try:
        return services.move(project, data["to_stage"], data["reason"], current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:project_id>/experiment", methods=["PUT"])
@blp.arguments(PrototypeSchema)
@blp.response(200, ProjectOutSchema)
@blp.doc(security=[BEARER])
def set_experiment(data, project_id):
    """Set the experiment period and the pilot organizations (idea and design stages)."""
    project = _project(project_id)
    _require_mover(project)
    try:
        return services.set_experiment(project, data, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:project_id>/targets")
@blp.response(200, ProjectTargetOutSchema(many=True))
@blp.doc(security=[BEARER])
def list_targets(project_id):
    """The values the project's indicators should reach over the experiment."""
    return list(_project(project_id).targets)


@blp.route("/<int:project_id>/targets", methods=["POST"])
@blp.arguments(TargetSchema)
@blp.response(201, ProjectTargetOutSchema)
@blp.doc(security=[BEARER])
def set_target(data, project_id):
    """Set (or change) the target of one indicator, before the prototype opens."""
    project = _project(project_id)
    _require_mover(project)
    try:
        return services.set_target(project, data, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:project_id>/targets/<int:target_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=[BEARER])
def remove_target(project_id, target_id):
    """Drop a target, before the prototype opens."""
    project = _project(project_id)
    _require_mover(project)
    target = row_or_404(ProjectTarget, target_id)
    if target.project_id != project.id:
        abort(404)
    try:
        services.remove_target(project, target.id, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:project_id>/decisions")
@blp.response(200, ProjectDecisionOutSchema(many=True))
@blp.doc(security=[BEARER])
def list_decisions(project_id):
    """The committee's decisions on the project, each with the vote it came from."""
    project = _project(project_id)
    return db.session.scalars(select(ProjectDecision).filter_by(project_id=project.id)
                              .order_by(ProjectDecision.id)).all()


@blp.route("/<int:project_id>/events")
@blp.response(200, ProjectEventOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_events(project_id, pagination_parameters):
    """The project's story: its moves between stages, edits and votes not adopted, oldest first."""
    project = _project(project_id)
    return page_of(select(ProjectEvent).filter_by(project_id=project.id).order_by(ProjectEvent.id),
                   pagination_parameters)


@blp.route("/<int:project_id>/evaluation")
@blp.response(200, EvaluationOutSchema)
@blp.doc(security=[BEARER])
def evaluation(project_id):
    """Each target against what was measured over the experiment, and the users' satisfaction."""
    project = row_or_404(ServiceProject, project_id, joinedload(ServiceProject.module),
                         selectinload(ServiceProject.targets))
    average, answers = services.satisfaction(project)
    results = [{"indicator_key": r.target.indicator_key, "target_value": r.target.target_value,
                "measured": r.measured, "reached": r.reached} for r in services.evaluation(project)]
    return {"results": results, "satisfaction_average": average, "satisfaction_answers": answers}

