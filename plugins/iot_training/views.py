"""IoT training pages: the catalogue and my trainings (employees), skills needs and approvals
(company referents), courses, sessions, attendance and closing (the training coordinator),
the certificate and the satisfaction survey (participants)."""
from flask import abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from coopserv.plugin_api import (
    can_operate,
    current_user,
    db,
    form_data,
    gettext,
    json_error,
    login_required,
    pdf_response,
    referent_organizations,
    render_page,
    require_module,
    territory_blueprint,
    wants_json,
)

from . import documents  # noqa: F401  (declares the certificate's builder, in workers too)
from . import STATES, services
from .schemas import (
    ApprovalSchema,
    AttendanceSchema,
    CourseSchema,
    SessionSchema,
    SkillNeedSchema,
    SurveySchema,
)

bp = territory_blueprint("iot_training", __name__, url_prefix="/iot-training", template_folder="templates",
                         static_folder="static")


# -- access -------------------------------------------------------------------------------------

def _require_operator():
    return require_module(services.SERVICE_KEY, "operator")


def _require_user():
    """Operators always; others when the module's stage and access rules let their employer in."""
    return require_module(services.SERVICE_KEY, "user")


def _require_referent():
    # Referents declare skills needs while the service is being set up, before any course exists.
    module = require_module(services.SERVICE_KEY, "user", ignore_prerequisites=True)
    organizations = referent_organizations()
    if not organizations:
        abort(403)
    return module, organizations


def _invalid(error, template, **context):
    """Answer field errors: JSON for API clients, the form again (status 422) for browsers."""
    db.session.rollback()
    if wants_json():
        return json_error(422, gettext("Some fields are not valid."), error.messages)
    return render_template(template, errors=error.messages, **context), 422


def _saved(endpoint, **values):
    if wants_json():
        return {"status": "ok"}, 200
    flash(gettext("Saved."), "success")
    return redirect(url_for(endpoint, **values))


# -- employees ----------------------------------------------------------------------------------

@bp.get("/")
@login_required
def catalogue():
    """The courses, the needs each addresses, the sessions open for enrolment, and my trainings.

    Open before the first session is scheduled: browsing courses requests nothing.
    """
    module = require_module(services.SERVICE_KEY, "user", ignore_prerequisites=True)
    courses = services.catalogue()
    sessions = services.open_sessions()
    return render_template("iot_training/catalogue.html", module=module, courses=courses, sessions=sessions,
                           seats=services.seat_index([s.id for s in sessions]),
                           mine=services.my_enrolments(current_user.id), config=services.module_config(module),
                           levels=_level_labels(), states=STATES)


def _own_enrolment(enrolment_id, operator_may=False):
    module = _require_user()
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None:
        abort(404)
    if enrolment.user_id != current_user.id and not (operator_may and can_operate(module)):
        abort(403)
    return module, enrolment


@bp.get("/enrolments/<int:enrolment_id>/certificate")
@login_required
def certificate(enrolment_id):
    """A printable completion certificate, for participants who attended enough days."""
    module, enrolment = _own_enrolment(enrolment_id, operator_may=True)
    threshold = services.module_config(module)["completion_threshold"]
    attended = services.attendance_counts(enrolment.session_id).get(enrolment.id, 0)
    if not services.certificate_eligible(enrolment, threshold, attended):
        abort(404)
    services.issue_certificate(enrolment)
    return render_template("iot_training/certificate.html", enrolment=enrolment, session=enrolment.session,
                           attended=attended, issued=services.today())


@bp.get("/enrolments/<int:enrolment_id>/certificate.pdf")
@login_required
def certificate_pdf(enrolment_id):
    """The certificate as a PDF, made by a job (the participant, or an operator)."""
    _own_enrolment(enrolment_id, operator_may=True)
    return pdf_response("iot_training.certificate", enrolment_id)


@bp.route("/enrolments/<int:enrolment_id>/survey", methods=["GET", "POST"])
@login_required
def survey(enrolment_id):
    """The satisfaction survey of a session that is over (one answer per participant)."""
    _, enrolment = _own_enrolment(enrolment_id)
    context = {"enrolment": enrolment, "session": enrolment.session,
               "may_answer": services.may_answer_survey(enrolment)}
    if request.method == "GET":
        return render_template("iot_training/survey.html", errors={}, values={}, **context)
    values = form_data()
    try:
        services.answer_survey(enrolment, SurveySchema().load(values))
    except ValidationError as error:
        return _invalid(error, "iot_training/survey.html", values=values, **context)
    if wants_json():
        return {"status": "ok"}, 201
    flash(gettext("Thank you for your answer."), "success")
    return redirect(url_for("iot_training.catalogue"))


# -- company referents --------------------------------------------------------------------------

def _needs_page(organizations, errors=None, values=None, status=200):
    needs = services.list_needs([o.id for o in organizations])
    return render_template("iot_training/needs.html", needs=needs, organizations=organizations,
                           addressed=services.courses_by_need([n.id for n in needs]),
                           errors=errors or {}, values=values or {}), status


@bp.get("/needs")
@login_required
def needs():
    _, organizations = _require_referent()
    return _needs_page(organizations)


@bp.post("/needs")
@login_required
def declare_need():
    """A referent declares a skills need of their company."""
    _, organizations = _require_referent()
    values = form_data()
    by_id = {o.id: o for o in organizations}
    try:
        data = SkillNeedSchema().load(values)
        organization = by_id.get(_int(values.get("organization_id"))) if len(by_id) > 1 else organizations[0]
        if organization is None:
            raise ValidationError({"organization_id": [gettext("Choose one of your organizations.")]})
        services.declare_need(organization, current_user, data)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _needs_page(organizations, error.messages, values, 422)
    return _saved("iot_training.needs")


def _approvals_page(organizations, errors=None, status=200):
    pending = services.pending_approvals([o.id for o in organizations])
    return render_template("iot_training/approvals.html", pending=pending, errors=errors or {}), status


@bp.get("/approvals")
@login_required
def approvals():
    _, organizations = _require_referent()
    return _approvals_page(organizations)


@bp.post("/approvals/<int:enrolment_id>")
@login_required
def decide(enrolment_id):
    """The referent approves or declines an enrolment of one of their company's employees."""
    _, organizations = _require_referent()
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None or enrolment.organization_id not in {o.id for o in organizations}:
        abort(404)
    try:
        data = ApprovalSchema().load(form_data())
        services.decide_approval(enrolment, current_user, data["decision"])
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _approvals_page(organizations, error.messages, 422)
    return _saved("iot_training.approvals")


# -- the training coordinator -------------------------------------------------------------------

def _level_labels():
    return {"beginner": gettext("Beginner"), "intermediate": gettext("Intermediate"), "advanced": gettext("Advanced")}


def _manage_page(errors=None, values=None, status=200):
    sessions = services.list_sessions()
    needs = services.list_needs()
    return render_template("iot_training/manage.html", courses=services.list_courses(), sessions=sessions,
                           seats=services.seat_index([s.id for s in sessions]), needs=needs,
                           addressed=services.courses_by_need([n.id for n in needs]), levels=_level_labels(),
                           errors=errors or {}, values=values or {}), status


@bp.get("/manage")
@login_required
def manage():
    _require_operator()
    return _manage_page()


@bp.post("/courses")
@login_required
def create_course():
    _require_operator()
    values = form_data()
    try:
        services.save_course(None, CourseSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _manage_page(error.messages, values, 422)
    return _saved("iot_training.manage")


def _course_or_404(course_id):
    course = services.get_course(course_id)
    if course is None:
        abort(404)
    return course


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
@login_required
def edit_course(course_id):
    _require_operator()
    course = _course_or_404(course_id)
    context = {"course": course, "needs": services.list_needs(), "levels": _level_labels()}
    if request.method == "GET":
        values = {"title": course.title, "summary": course.summary, "level": course.level,
                  "need_ids": [link.need_id for link in course.need_links]}
        return render_template("iot_training/course_form.html", values=values, errors={}, **context)
    values = form_data()
    try:
        services.save_course(course, CourseSchema().load(values))
    except ValidationError as error:
        return _invalid(error, "iot_training/course_form.html", values=values, **context)
    return _saved("iot_training.manage")


@bp.post("/courses/<int:course_id>/toggle")
@login_required
def toggle_course(course_id):
    _require_operator()
    course = _course_or_404(course_id)
    services.set_course_active(course, not course.active)
    return redirect(url_for("iot_training.manage"))


def _session_form(session, values, errors=None, status=200):
    return render_template("iot_training/session_form.html", session=session, values=values, errors=errors or {},
                           courses=[c for c in services.list_courses() if c.active or (session and c.id == session.course_id)]), status


@bp.get("/sessions/new")
@login_required
def new_session():
    _require_operator()
    return _session_form(None, {"course_id": request.args.get("course", ""), "starts_at": "09:00", "ends_at": "17:00"})


@bp.post("/sessions")
@login_required
def create_session():
    _require_operator()
    values = form_data()
    try:
        session = services.save_session(None, SessionSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _session_form(None, values, error.messages, 422)
    if wants_json():
        return {"id": session.id, "status": session.status}, 201
    flash(gettext("Saved."), "success")
    return redirect(url_for("iot_training.session_page", session_id=session.id))


def _session_or_404(session_id):
    session = services.get_session(session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id):
    _require_operator()
    session = _session_or_404(session_id)
    if request.method == "GET":
        values = {key: getattr(session, key) for key in ("course_id", "place", "trainer", "capacity",
                                                          "min_participants")}
        values.update(first_day=session.first_day.isoformat(), last_day=session.last_day.isoformat(),
                      registration_deadline=session.registration_deadline.isoformat(),
                      starts_at=session.starts_at.strftime("%H:%M"), ends_at=session.ends_at.strftime("%H:%M"))
        return _session_form(session, values)
    values = form_data()
    schema = SessionSchema()
    schema.session = session
    try:
        services.save_session(session, schema.load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _session_form(services.get_session(session_id), values, error.messages, 422)
    return _saved("iot_training.session_page", session_id=session_id)


def _session_page(module, session, errors=None, status=200):
    threshold = services.module_config(module)["completion_threshold"]
    enrolments = services.session_enrolments(session.id)
    answers, average = services.survey_summary(session.id)
    return render_page("iot_training/session.html", "iot_training/_attendance.html", http_status=status,
                       session=session, enrolments=enrolments, seated=[e for e in enrolments if e.request.status in services.SEATED],
                       ticks=services.attendance_pairs(session.id), counts=services.attendance_counts(session.id),
                       needed=services.days_needed(session, threshold), today=services.today(), answers=answers,
                       average=average, is_over=services.is_over(session), errors=errors or {}, states=STATES)


@bp.get("/sessions/<int:session_id>")
@login_required
def session_page(session_id):
    """A session for its coordinator: participants, waiting list, attendance grid, survey results."""
    module = _require_operator()
    return _session_page(module, _session_or_404(session_id))


@bp.post("/sessions/<int:session_id>/attendance")
@login_required
def record_attendance(session_id):
    module = _require_operator()
    session = _session_or_404(session_id)
    try:
        services.record_attendance(session, AttendanceSchema().load(form_data())["present"])
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _session_page(module, session, error.messages, 422)
    if wants_json():
        return {"status": "ok"}, 200
    flash(gettext("Attendance saved."), "success")
    return redirect(url_for("iot_training.session_page", session_id=session.id))


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(session_id):
    module = _require_operator()
    session = _session_or_404(session_id)
    try:
        services.cancel_session(session, current_user)
    except ValidationError as error:
        return _session_page(module, session, error.messages, 409)
    flash(gettext("The session is cancelled and its participants are notified."), "success")
    return redirect(url_for("iot_training.session_page", session_id=session_id))


@bp.post("/sessions/<int:session_id>/close")
@login_required
def close_session(session_id):
    module = _require_operator()
    session = _session_or_404(session_id)
    try:
        services.close_session(session, current_user, services.module_config(module)["completion_threshold"])
    except ValidationError as error:
        return _session_page(module, _session_or_404(session_id), error.messages, 409)
    flash(gettext("The session is closed; participants can download their certificate and answer the survey."),
          "success")
    return redirect(url_for("iot_training.session_page", session_id=session_id))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

