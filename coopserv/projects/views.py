"""Service project pages: the list, a project's story and evaluation, and the actions of its lead and admins."""
import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.documents.views import pdf_response
from coopserv.accounts.access import employer, is_member, is_territory_admin
from coopserv.accounts.models import TERRITORY_ADMIN, Membership, User
from coopserv.extensions import db
from coopserv.modules.models import STOPPED
from coopserv.modules.services import prerequisite_tests as module_prerequisite_tests
from coopserv.modules.services import prerequisites_of
from coopserv.needs.models import CollectiveNeed, Need
from coopserv.organizations.models import Organization
from coopserv.plugin_host import plugin_host
from coopserv.schemas import Schema
from coopserv.web import (
    form_data,
    json_error,
    render_page,
    roles_required,
    territory_blueprint,
    wants_json,
)

from . import services
from .documents import report_context
from .models import CONTRIBUTION_KINDS, EVALUATION, MOVES, OUTCOMES, STAGES
from .schemas import (
    ContributionSchema,
    CostKeySchema,
    MoveSchema,
    PartnerSchema,
    ProjectEditSchema,
    ProjectSchema,
    ProjectTemplateSchema,
    PrototypeSchema,
    SatisfactionSchema,
    TargetSchema,
)

bp = territory_blueprint("projects", __name__, url_prefix="/projects")


class _NoFields(Schema):
    """A form with nothing to fill in (a button)."""


def committee_items(project):
    """The committee votes on this project, for links both ways between the project and its votes."""
    from coopserv.governance.services import items_of_project

    return items_of_project(project)


def vote_labels():
    """Labels of vote results, reasons and colleges, to say how a vote on the project ended."""
    from coopserv.governance.models import COLLEGE_LABELS, REASON_LABELS, RESULT_LABELS

    return {"vote_results": RESULT_LABELS, "vote_reasons": REASON_LABELS, "college_labels": COLLEGE_LABELS}


def _project_or_404(project_id, loader=None):
    project = (loader or services.get_project)(project_id)
    if project is None:
        abort(404)
    return project


def _require_member():
    if not is_member():
        abort(403)


def _require_mover(project):
    if not services.can_move(project, current_user, is_territory_admin()):
        abort(403)


def _as_list(values, *names):
    for name in names:
        if isinstance(values.get(name), str):
            values[name] = [values[name]]
    return values


def _form_options():
    host = plugin_host()
    users = list(db.session.scalars(select(User).where(User.id.in_(select(Membership.user_id))).order_by(User.name)))
    return {
        "service_options": [(key, _(kind.label)) for key, kind in sorted(host.service_types.items())],
        "lead_options": [(u.id, u.name) for u in users],
        "organizations": list(db.session.scalars(select(Organization).order_by(Organization.name))),
        "collectives": list(db.session.scalars(select(CollectiveNeed).order_by(CollectiveNeed.id.desc()))),
    }


@bp.get("/")
@login_required
def index():
    _require_member()
    labels = {key: kind.label for key, kind in plugin_host().service_types.items()}
    return render_template("projects/index.html", projects=services.list_projects(), stages=STAGES,
                           outcomes=OUTCOMES, admin=is_territory_admin(), service_labels=labels)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def new():
    values, errors, status = {"collective_need_ids": request.args.getlist("collective", type=int)}, {}, 200
    if request.method == "POST":
        values = _as_list(form_data(), "collective_need_ids", "partner_ids")
        try:
            project = services.create_project(ProjectSchema().load(values), current_user)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"id": project.id, "stage": project.stage}, 201
            flash(_("The project is created at the idea stage."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/new.html", values=values, errors=errors, **_form_options()), status


@bp.post("/from-need/<int:need_id>")
@roles_required(TERRITORY_ADMIN)
def from_need(need_id):
    """Launch a project from a single need in one action."""
    need = db.session.scalar(select(Need).filter_by(id=need_id))
    if need is None:
        abort(404)
    project = services.launch_from_need(need, current_user)
    flash(_("The project is created at the idea stage from this need."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.post("/from-collective/<int:collective_id>")
@roles_required(TERRITORY_ADMIN)
def from_collective(collective_id):
    """Launch a project from a collective need in one action."""
    collective = db.session.scalar(select(CollectiveNeed).filter_by(id=collective_id))
    if collective is None:
        abort(404)
    project = services.launch_from_collective(collective, current_user)
    flash(_("The project is created at the idea stage from this collective need."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


def _detail_context(project, errors=None, failed=None, values=None):
    from coopserv.governance.services import NextMeeting, next_meeting_columns

    host = plugin_host()
    organization = employer()
    satisfaction, comments, respondents = services.survey_results(project)
    answered = current_user.is_authenticated and current_user.id in respondents
    may_edit = services.can_move(project, current_user, is_territory_admin())
    votes = committee_items(project)  # before the timeline and the decision, which link to them
    admin = is_territory_admin()
    # The targets' measures and the page's other one-row reads (cost per use, whether a committee exists, the
    # next meeting, the opened service's prerequisites) come in one statement.
    asks_committee = "prototype" in MOVES.get(project.stage, ())
    asks_meeting = project.stage == EVALUATION and admin
    prerequisite_modules = ([project.module] if admin and project.module and project.module.stage != STOPPED
                            else [])
    also = {"uses": services.uses_expression(project), **module_prerequisite_tests(prerequisite_modules)}
    if asks_committee:
        also["has_committee"] = services.has_committee_expression()
    if asks_meeting:
        also.update(next_meeting_columns())
    results, read = services.evaluation_with(project, also, read_only=request.method == "GET")
    return {
        "project": project, "stages": STAGES, "outcomes": OUTCOMES, "moves": MOVES.get(project.stage, ()),
        "timeline": services.timeline(project, votes), "results": results,
        "satisfaction": satisfaction, "comments": comments,
        "costs": services.cost_sharing(project, uses=read["uses"] or 0), "kinds": CONTRIBUTION_KINDS,
        "kind_options": [(k, _(v)) for k, v in CONTRIBUTION_KINDS.items()],
        # The service's own indicators first: a target measures what the service changes.
        "indicator_options": [(i.key, _(i.label)) for i in sorted(
            (i for i in host.indicators.values()
             if not project.service_key or i.service_key in (None, project.service_key)),
            key=lambda i: i.service_key is None)],
        "experiment_defaults": services.default_experiment_period(),
        "indicators": host.indicators, "problems": services.prototype_problems(project),
        # Read only where the page may warn that the committee is missing (before opening the prototype).
        "has_committee": bool(read["has_committee"]) if asks_committee else True,
        "service_options": [(key, _(kind.label)) for key, kind in sorted(host.service_types.items())],
        "votes": votes, "decision": services.latest_decision(project),
        "next_meeting": NextMeeting.of(read) if asks_meeting else None,
        "service_labels": {key: kind.label for key, kind in host.service_types.items()},
        "can_move": may_edit, "admin": is_territory_admin(),
        "may_answer": services.may_answer_survey(project, organization) and not answered, "answered": answered,
        # Partner and contribution forms are for those who may change the project.
        "organizations": list(db.session.scalars(select(Organization).order_by(Organization.name))) if may_edit else [],
        # What the opened service still needs before employees can use it, with links to create it.
        "prerequisites": (prerequisites_of(prerequisite_modules, read)[project.module.id]
                          if prerequisite_modules else []),
        "errors": errors or {}, "failed": failed, "values": values or {}, **vote_labels(),
    }


@bp.get("/<int:project_id>")
@login_required
def detail(project_id):
    _require_member()
    project = _project_or_404(project_id)
    return render_template("projects/detail.html", **_detail_context(project))


def _act(project, form_name, schema, apply, success):
    """Validate one of the project's forms and apply it; field errors re-render the page (422)."""
    values = _as_list(form_data(), "pilot_ids")
    try:
        apply(schema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        return render_page("projects/detail.html", None, http_status=422,
                           **_detail_context(project, error.messages, form_name, values))
    if wants_json():
        return {"id": project.id, "stage": project.stage, "outcome": project.outcome}
    flash(success, "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.get("/<int:project_id>/report")
@login_required
def report(project_id):
    """The evaluation report the committee decides on: targets against measures, satisfaction, costs, decision."""
    _require_member()
    project = _project_or_404(project_id, lambda found: services.get_project(found, services.REPORT))
    return render_template("projects/report.html", **report_context(project, read_only=True))


@bp.get("/<int:project_id>/report.pdf")
@login_required
def report_pdf(project_id):
    """The same report as a PDF, made by a job (the page waits a few seconds the first time)."""
    _require_member()
    project = _project_or_404(project_id)
    return pdf_response("projects.report", project.id)


@bp.post("/<int:project_id>/move")
@login_required
def move(project_id):
    """Move the project on; only its lead and territory admins may."""
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "move", MoveSchema,
                lambda data: services.move(project, data["to_stage"], data["reason"], current_user,
                                           no_committee_yet=data["no_committee_yet"]),
                _("The project moved on; the step is recorded."))


@bp.post("/<int:project_id>/experiment")
@login_required
def experiment(project_id):
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "experiment", PrototypeSchema,
                lambda data: services.set_experiment(project, data, current_user), _("Saved."))


@bp.post("/<int:project_id>/targets")
@login_required
def target(project_id):
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "target", TargetSchema, lambda data: services.set_target(project, data, current_user),
                _("Saved."))


@bp.post("/<int:project_id>/partners")
@login_required
def partner(project_id):
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "partner", PartnerSchema, lambda data: services.set_partner(project, data, current_user),
                _("Saved."))


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id):
    """Change the project's title, description, service type (or lead, for admins); each change is in the story."""
    project = _project_or_404(project_id, services.find_project)
    _require_mover(project)
    values, errors, status = {"title": project.title, "summary": project.summary,
                              "service_key": project.service_key or "", "lead_id": project.lead_id}, {}, 200
    if request.method == "POST":
        values = form_data()
        try:
            services.edit_project(project, ProjectEditSchema().load(values), current_user,
                                  may_change_lead=is_territory_admin())
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"id": project.id, "stage": project.stage, "service_key": project.service_key}
            flash(_("The project is saved; the change is in its story."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/edit.html", project=project, values=values, errors=errors,
                           may_choose_type=project.stage in ("idea", "design"), admin=is_territory_admin(),
                           **_form_options()), status


@bp.post("/<int:project_id>/targets/<int:target_id>/remove")
@login_required
def remove_target(project_id, target_id):
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "target", _NoFields, lambda data: services.remove_target(project, target_id, current_user),
                _("The target is removed; the change is in the story."))


@bp.post("/<int:project_id>/survey")
@login_required
def survey(project_id):
    project = _project_or_404(project_id)
    organization = employer()
    if not services.may_answer_survey(project, organization):
        abort(403)
    return _act(project, "survey", SatisfactionSchema,
                lambda data: services.submit_satisfaction(project, current_user, organization, data),
                _("Thank you for your answer."))


@bp.post("/<int:project_id>/contributions")
@login_required
def contribution(project_id):
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "contribution", ContributionSchema,
                lambda data: services.add_contribution(project, data, current_user), _("Saved."))


@bp.post("/<int:project_id>/cost-key")
@login_required
def cost_key(project_id):
    project = _project_or_404(project_id)
    _require_mover(project)
    return _act(project, "cost_key", CostKeySchema, lambda data: services.set_cost_key(project, data, current_user),
                _("Saved."))


@bp.get("/<int:project_id>/template.json")
@roles_required(TERRITORY_ADMIN)
def export(project_id):
    """Download a perennial project as a template another territory can import."""
    project = _project_or_404(project_id)
    try:
        template = services.export_template(project)
    except ValidationError as error:
        return json_error(409, " ".join(str(m) for m in error.messages["_schema"]))
    body = json.dumps(template, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="project-{project.id}-template.json"'})


@bp.route("/import", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def import_template():
    """Start a project at the design stage from another territory's template."""
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if request.is_json:
            raw = request.get_json(silent=True)
        else:
            upload = request.files.get("template_file")
            text = upload.read().decode("utf-8", "replace") if upload and upload.filename else \
                request.form.get("template", "")
            values = {"template": text}
            try:
                raw = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                raw = None
        try:
            if not isinstance(raw, dict):
                raise ValidationError({"template": [_("This is not a project template (JSON).")]})
            project = services.import_template(ProjectTemplateSchema().load(raw), current_user)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"id": project.id, "stage": project.stage}, 201
            flash(_("The project is imported at the design stage."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/import.html", values=values, errors=errors), status
