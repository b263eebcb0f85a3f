"""Spouse welcome pages: the coordinator's cases, a case with its checklist and matching, and the
HR referents' pages (open a case for an employee, declare hiring needs).

Confidentiality: a case page is shown only to the family (the requester) and the module's operators
(the service type is ``confidential``: territory admins see counts per status in the core's queue,
not the cases). An HR referent who opened a case for an employee sees only its status.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError

from coopserv.plugin_api import (
    COMPANY_REFERENT,
    can_operate,
    current_user,
    db,
    form_data,
    get_module,
    gettext,
    has_role,
    is_htmx,
    json_error,
    login_required,
    render_page,
    require_module,
    territory_blueprint,
    wants_json,
)

from . import services
from .models import OUTCOMES, STEP_KINDS
from .schemas import (
    AssignSchema,
    FollowUpSchema,
    HiringNeedSchema,
    IntroductionSchema,
    OutcomeSchema,
    StepSchema,
)

bp = territory_blueprint("spouse_welcome", __name__, url_prefix="/spouse-welcome", template_folder="templates")


def _module():
    return require_module(services.SERVICE_KEY, "any")


def _require_operator():
    return require_module(services.SERVICE_KEY, "operator")


def _visible_case(case_id):
    """Load a case of this territory for its family or the module's operators; 404 or 403 otherwise."""
    module = _module()
    case = services.get_case(case_id)
    if case is None or case.request.module_id != module.id:
        abort(404)
    may_operate = can_operate(module)
    if not may_operate and (case.requester_id is None or case.requester_id != current_user.id):
        abort(403)
    return module, case, may_operate


def _operated_case(case_id):
    module, case, may_operate = _visible_case(case_id)
    if not may_operate:
        abort(403)
    return module, case


def _usable_referent_organization(module):
    """The company the signed-in HR referent acts for, where the module is open to it, or None."""
    from coopserv.plugin_api import availability, referent_organizations

    if not has_role(COMPANY_REFERENT):
        return None
    return next((org for org in referent_organizations() if availability(module, org).allowed), None)


def _referent_organization(module):
    organization = _usable_referent_organization(module)
    if organization is None:
        abort(403)
    return organization


def home_panel():
    """The portal home panel: links to the family's case, the referent's pages or the operator's list."""
    module = get_module(services.SERVICE_KEY)
    if module is None or not module.enabled:
        return None
    may_operate = can_operate(module)
    family_cases = services.cases_of_family(current_user.id)
    organization = _usable_referent_organization(module)
    if not (may_operate or family_cases or organization):
        return None
    return Markup(render_template("spouse_welcome/_home_panel.html", may_operate=may_operate,
                                  family_cases=family_cases, organization=organization))


# --- Operator: cases --------------------------------------------------------------------------

@bp.get("/cases")
@login_required
def cases():
    """Every case with its status, welcome referent and progress; htmx swaps only the table."""
    module = _require_operator()
    kind_states = _states()
    status = request.args.get("status") or None
    if status not in kind_states:
        status = None
    mine = request.args.get("mine") == "1"
    rows = services.list_cases(module, status, current_user.id if mine else None)
    return render_page("spouse_welcome/cases.html", "spouse_welcome/_cases_table.html", rows=rows, status=status,
                       states=kind_states, mine=mine)


def _states():
    from . import STATES

    return STATES


def _case_page(module, case, may_operate, errors=None, values=None, failed_form=None, status=200):
    context = {"case": case, "may_operate": may_operate, "states": _states(), "step_label": services.step_label,
               "step_kinds": STEP_KINDS, "outcomes": OUTCOMES, "errors": errors or {}, "values": values or {},
               "failed_form": failed_form, "follow_up_due": services.follow_up_due(case), "today": services.today()}
    if may_operate:
        context.update(matches=services.rank_companies(case), operators=services.module_operators(module),
                       employers=services.employer_choices())
    return render_page("spouse_welcome/case.html", None, http_status=status, **context)


@bp.get("/cases/<int:case_id>")
@login_required
def case_page(case_id):
    module, case, may_operate = _visible_case(case_id)
    return _case_page(module, case, may_operate)


def _operator_form(case_id, schema_class, action, form_name):
    """Validate an operator form on a case and apply it; field errors re-render the case page (422)."""
    module, case = _operated_case(case_id)
    values = form_data()
    try:
        action(module, case, schema_class().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _case_page(module, services.get_case(case_id), True, error.messages, values, form_name, 422)
    if wants_json():
        return {"case_id": case_id}
    flash(gettext("Saved."), "success")
    return redirect(url_for("spouse_welcome.case_page", case_id=case_id))


@bp.post("/cases/<int:case_id>/assign")
@login_required
def assign(case_id):
    return _operator_form(case_id, AssignSchema,
                          lambda module, case, data: services.assign_referent(module, case, data["referent_id"]),
                          "assign")


@bp.post("/cases/<int:case_id>/steps")
@login_required
def add_step(case_id):
    return _operator_form(case_id, StepSchema, lambda module, case, data: services.add_step(case, data), "step")


@bp.post("/cases/<int:case_id>/introductions")
@login_required
def introduce(case_id):
    return _operator_form(case_id, IntroductionSchema,
                          lambda module, case, data: services.send_introduction(case, data, current_user), "intro")


@bp.post("/cases/<int:case_id>/follow-up")
@login_required
def follow_up(case_id):
    return _operator_form(case_id, FollowUpSchema,
                          lambda module, case, data: services.record_follow_up(case, data, current_user),
                          "follow_up")


@bp.post("/steps/<int:step_id>/toggle")
@login_required
def toggle_step(step_id):
    """Tick a checklist step done or undone; htmx gets the updated row."""
    module = _require_operator()
    step = services.get_step(step_id)
    if step is None or step.case.request.module_id != module.id:
        abort(404)
    services.toggle_step(step)
    if is_htmx():
        return render_page("spouse_welcome/case.html", "spouse_welcome/_step.html", step=step, may_operate=True,
                           step_label=services.step_label, today=services.today())
    if wants_json():
        return {"id": step.id, "done": step.done_at is not None}
    return redirect(url_for("spouse_welcome.case_page", case_id=step.case_id))


@bp.post("/introductions/<int:introduction_id>/outcome")
@login_required
def outcome(introduction_id):
    """Record what came of an introduction; htmx gets the updated row."""
    module = _require_operator()
    introduction = services.get_introduction(introduction_id)
    if introduction is None or introduction.case.request.module_id != module.id:
        abort(404)
    try:
        data = OutcomeSchema().load(form_data())
    except ValidationError as error:
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _case_page(module, introduction.case, True, error.messages, form_data(), "outcome", 422)
    services.set_outcome(introduction, data["outcome"])
    if is_htmx():
        return render_page("spouse_welcome/case.html", "spouse_welcome/_introduction.html", intro=introduction,
                           may_operate=True, outcomes=OUTCOMES, errors={})
    if wants_json():
        return {"id": introduction.id, "outcome": introduction.outcome}
    return redirect(url_for("spouse_welcome.case_page", case_id=introduction.case_id))


# --- HR referents ----------------------------------------------------------------------------

def _referent_page(module, organization, errors=None, values=None, status=200):
    from . import _form_context

    return render_template(
        "spouse_welcome/referent.html", module=module, organization=organization, for_referent=True,
        employees=services.company_employees(organization), opened=services.cases_opened_by(current_user.id),
        states=_states(), errors=errors or {}, values=values or {}, **_form_context(module)), status


@bp.get("/referent")
@login_required
def referent():
    """An HR referent's page: open a case for an employee, follow the status of cases opened."""
    module = _module()
    return _referent_page(module, _referent_organization(module))


@bp.post("/referent/cases")
@login_required
def referent_open_case():
    from coopserv.plugin_api import RequestRefused

    module = _module()
    organization = _referent_organization(module)
    values = form_data()
    try:
        services.open_case_for_employee(module, current_user, organization, values,
                                        services.company_employees(organization))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _referent_page(module, organization, error.messages, values, 422)
    except RequestRefused as refused:
        if wants_json():
            return json_error(403, refused.message)
        flash(refused.message, "error")
        return _referent_page(module, organization, {}, values, 403)
    flash(gettext("The case was opened; the family will be contacted by a welcome referent."), "success")
    return redirect(url_for("spouse_welcome.referent"))


def _needs_page(module, organization, errors=None, values=None, status=200):
    return render_template("spouse_welcome/hiring_needs.html", organization=organization,
                           needs=services.needs_of([organization.id]), errors=errors or {}, values=values or {}), status


@bp.get("/hiring-needs")
@login_required
def hiring_needs():
    """A company referent declares the jobs their company would like to fill, for the matching."""
    module = _module()
    return _needs_page(module, _referent_organization(module))


@bp.post("/hiring-needs")
@login_required
def add_hiring_need():
    module = _module()
    organization = _referent_organization(module)
    values = form_data()
    try:
        services.add_hiring_need(organization, HiringNeedSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _needs_page(module, organization, error.messages, values, 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("spouse_welcome.hiring_needs"))


@bp.post("/hiring-needs/<int:need_id>/toggle")
@login_required
def toggle_hiring_need(need_id):
    module = _module()
    organization = _referent_organization(module)
    need = services.get_hiring_need(need_id)
    if need is None or need.organization_id != organization.id:
        abort(404)
    services.set_need_active(need, not need.active)
    return redirect(url_for("spouse_welcome.hiring_needs"))
