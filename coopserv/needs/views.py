"""Needs pages: the board, submitting and supporting a need, admin answers, collective needs, campaigns."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.accounts.access import (
    employer,
    has_role,
    is_member,
    is_territory_admin,
    referent_organizations,
)
from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.extensions import db
from coopserv.input_guard import bounded_id
from coopserv.organizations.models import SIZE_BANDS
from coopserv.web import (
    form_data,
    is_htmx,
    json_error,
    render_page,
    roles_required,
    territory_blueprint,
    wants_json,
)

from . import services
from .models import (
    ANSWER_STATUSES,
    FAMILIES,
    QUESTION_KINDS,
    STATUSES,
    URGENCIES,
    CollectiveNeed,
    Need,
    NeedCampaign,
    NeedCategory,
)
from .schemas import (
    CampaignSchema,
    CategorySchema,
    CollectiveNeedSchema,
    MergeSchema,
    NeedSchema,
    SettingsSchema,
    StatusSchema,
    SupportSchema,
    campaign_form_to_data,
    question_errors_by_slot,
)

bp = territory_blueprint("needs", __name__, url_prefix="/needs")


def _require_member():
    if not is_member():
        abort(403)


def _contributor_organization():
    """Employees and referents express and support needs; others may only read the board."""
    organization = employer()
    if organization is None:
        abort(403)
    return organization


def _is_referent_of(organization):
    return any(o.id == organization.id for o in referent_organizations())


def _need_or_404(need_id):
    need = db.session.scalar(select(Need).filter_by(id=need_id))
    if need is None:
        abort(404)
    return need


def _invalid(error, template, **context):
    db.session.rollback()
    if wants_json():
        return json_error(422, _("Please correct the fields marked below."), error.messages)
    return render_template(template, errors=error.messages, **context), 422


@bp.get("/")
@login_required
def board():
    """The needs board: ranked by employees concerned, filtered, with counts per category as a chart."""
    _require_member()
    categories = services.list_categories()
    category_id = request.args.get("category", type=int)
    park = request.args.get("park") or None
    size = request.args.get("size") if request.args.get("size") in SIZE_BANDS else None
    rows = services.board(category_id, park, size)
    counts = services.counts_by_category()
    chart = services.bar_chart([(_(c.label), n) for c, n in counts])
    organization = employer()
    return render_page("needs/board.html", "needs/_board_rows.html", rows=rows, categories=categories,
                       parks=services.business_parks(), size_bands=SIZE_BANDS, chart=chart,
                       filters={"category": category_id, "park": park, "size": size}, statuses=STATUSES,
                       can_support=organization is not None, me=current_user.id)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    organization = _contributor_organization()
    referent = _is_referent_of(organization)
    context = {"category_options": [(c.id, _(c.label)) for c in services.list_categories()],
               "urgency_options": [(key, _(label)) for key, label in URGENCIES.items()],
               "referent": referent, "organization": organization}
    if request.method == "GET":
        return render_template("needs/new.html", values={"business_park": organization.business_park,
                                                         "scope": "company" if referent else "individual"},
                               errors={}, **context)
    values = form_data()
    try:
        need = services.submit_need(NeedSchema().load(values), current_user, organization, referent)
    except ValidationError as error:
        return _invalid(error, "needs/new.html", values=values, **context)
    if wants_json():
        return {"id": need.id, "status": need.status}, 201
    flash(_("Your need is recorded; you will be told of each step."), "success")
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.get("/<int:need_id>")
@login_required
def detail(need_id):
    _require_member()
    need = _need_or_404(need_id)
    from coopserv.projects.services import list_projects

    admin = is_territory_admin()
    others = [row.need for row in services.board()] if admin else []
    return render_template("needs/detail.html", need=need, weight=services.weight_of(need), statuses=STATUSES,
                           answer_statuses=ANSWER_STATUSES, admin=admin, others=others,
                           projects=list_projects() if admin else [], errors={}, values={},
                           collectives=services.list_collectives() if admin else [],
                           can_support=employer() is not None and current_user.id not in services.supporters(need))


@bp.post("/<int:need_id>/support")
@login_required
def support(need_id):
    """Say "we have it too"; htmx swaps the need's support button and counts."""
    organization = _contributor_organization()
    need = _need_or_404(need_id)
    try:
        services.support_need(need, current_user, organization, _is_referent_of(organization),
                              SupportSchema().load(form_data()))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        return render_page("needs/detail.html", "needs/_support.html", http_status=422,
                           need=need, weight=services.weight_of(need), statuses=STATUSES, errors=error.messages,
                           can_support=False, admin=False, others=[], projects=[], values={})
    target = services.effective_need(need)
    if wants_json():
        return {"need": target.id, "supports": 1 + len(target.supports), "weight": services.weight_of(target)}
    if not is_htmx():
        return redirect(url_for("needs.detail", need_id=target.id))
    return render_page("needs/detail.html", "needs/_support.html", need=target, weight=services.weight_of(target),
                       statuses=STATUSES, errors={}, can_support=False, admin=False, others=[], projects=[],
                       values={})


@bp.post("/<int:need_id>/status")
@roles_required(TERRITORY_ADMIN)
def set_status(need_id):
    need = _need_or_404(need_id)
    values = form_data()
    try:
        data = StatusSchema().load(values)
        project = None
        if data.get("project_id"):
            from coopserv.projects.services import get_project

            project = get_project(data["project_id"])
            if project is None:
                raise ValidationError({"project_id": [_("Choose one of the proposed values.")]})
        services.set_status(need, data["status"], data.get("reason", ""), project, current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        from coopserv.projects.services import list_projects

        return render_template("needs/detail.html", need=need, weight=services.weight_of(need), statuses=STATUSES,
                               answer_statuses=ANSWER_STATUSES, admin=True, errors=error.messages, values=values,
                               others=[r.need for r in services.board()], projects=list_projects(),
                               can_support=False), 422
    if wants_json():
        return {"id": need.id, "status": need.status}
    flash(_("The need's status is saved and its author notified."), "success")
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.post("/<int:need_id>/merge")
@roles_required(TERRITORY_ADMIN)
def merge(need_id):
    duplicate = _need_or_404(need_id)
    try:
        data = MergeSchema().load(form_data())
        target = db.session.scalar(select(Need).filter_by(id=data["target_id"]))
        if target is None:
            raise ValidationError({"target_id": [_("Choose another need to merge into.")]})
        target = services.merge(duplicate, target, current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        flash(" ".join(str(m) for messages in error.messages.values() for m in messages), "error")
        return redirect(url_for("needs.detail", need_id=duplicate.id)), 303
    if wants_json():
        return {"merged_into": target.id, "weight": services.weight_of(target)}
    flash(_("The needs are merged; supports are carried over."), "success")
    return redirect(url_for("needs.detail", need_id=target.id))


@bp.post("/<int:need_id>/collective")
@roles_required(TERRITORY_ADMIN)
def join_collective(need_id):
    """Add a need to an existing collective need (which may then pass the threshold)."""
    need = _need_or_404(need_id)
    collective_id = bounded_id(form_data().get("collective_id"))
    item = db.session.scalar(select(CollectiveNeed).filter_by(id=collective_id)) if collective_id else None
    if item is None or need.status == "merged":
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."),
                              {"collective_id": [_("Choose one of the proposed values.")]})
        flash(_("Choose one of the proposed values."), "error")
        return redirect(url_for("needs.detail", need_id=need.id)), 303
    services.add_to_collective(item, need, current_user)
    if wants_json():
        return {"need": need.id, "collective": item.id, "flagged": item.flagged_at is not None}
    flash(_("The need joins the collective need."), "success")
    return redirect(url_for("needs.collective", collective_id=item.id))


# -- collective needs ------------------------------------------------------------
@bp.route("/collective", methods=["GET", "POST"])
@login_required
def collectives():
    _require_member()
    admin = is_territory_admin()
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if not admin:
            abort(403)
        values = form_data()
        if isinstance(values.get("need_ids"), str):
            values["need_ids"] = [values["need_ids"]]
        try:
            collective = services.create_collective(CollectiveNeedSchema().load(values), current_user)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"id": collective.id, "flagged": collective.flagged_at is not None}, 201
            flash(_("The collective need is created."), "success")
            return redirect(url_for("needs.collective", collective_id=collective.id))
    settings = services.get_settings()
    rows = [(c, services.breakdown(c)) for c in services.list_collectives()]
    loose = [row for row in services.board() if row.need.collective_id is None] if admin else []
    return render_template("needs/collectives.html", rows=rows, settings=settings, admin=admin, loose=loose,
                           values=values, errors=errors), status


@bp.get("/collective/<int:collective_id>")
@login_required
def collective(collective_id):
    _require_member()
    item = db.session.scalar(select(CollectiveNeed).filter_by(id=collective_id))
    if item is None:
        abort(404)
    return render_template("needs/collective.html", collective=item, totals=services.breakdown(item),
                           settings=services.get_settings(), statuses=STATUSES)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def settings():
    """Thresholds of collective needs and the territory's categories."""
    errors, status, values = {}, 200, {}
    if request.method == "POST":
        values = form_data()
        form = values.get("form")
        try:
            if form == "category":
                services.add_category(CategorySchema().load(values))
            elif form == "toggle":
                category = db.session.scalar(select(NeedCategory).filter_by(id=bounded_id(values.get("category_id"))))
                if category is None:
                    abort(404)
                services.toggle_category(category)
            else:
                services.update_settings(SettingsSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("needs.settings"))
    current = services.get_settings()
    if not values or values.get("form") in ("category", "toggle"):
        values = {**values, "threshold_companies": current.threshold_companies,
                  "threshold_employees": current.threshold_employees}
    return render_template("needs/settings.html", categories=services.list_categories(active_only=False),
                           families=FAMILIES, families_options=[(k, _(v)) for k, v in FAMILIES.items()],
                           values=values, errors=errors), status


# -- campaigns ---------------------------------------------------------------------
def _campaign_or_404(campaign_id):
    campaign = db.session.scalar(select(NeedCampaign).filter_by(id=campaign_id))
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/campaigns")
@login_required
def campaigns():
    _require_member()
    rows = [(c, services.response_rate(c), services.is_open(c)) for c in services.list_campaigns()]
    return render_template("needs/campaigns.html", rows=rows, admin=is_territory_admin())


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def campaign_new():
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = form_data()
        try:
            campaign = services.create_campaign(CampaignSchema().load(campaign_form_to_data(values)), current_user)
        except ValidationError as error:
            db.session.rollback()
            errors, status = question_errors_by_slot(values, error.messages), 422
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), errors)
        else:
            flash(_("The campaign is open to member companies."), "success")
            return redirect(url_for("needs.campaign", campaign_id=campaign.id))
    return render_template("needs/campaign_new.html", values=values, errors=errors,
                           kind_options=[(k, _(v)) for k, v in QUESTION_KINDS.items()],
                           slots=range(1, 6)), status


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@login_required
def campaign(campaign_id):
    """The questionnaire for referents (one answer per organization) and its results."""
    _require_member()
    item = _campaign_or_404(campaign_id)
    organizations = referent_organizations()
    organization = organizations[0] if organizations else None
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if organization is None:
            abort(403)
        values = form_data()
        try:
            services.answer_campaign(item, organization, current_user, values)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"answered": True}, 201
            flash(_("Thank you: your organization's answers are recorded."), "success")
            return redirect(url_for("needs.campaign", campaign_id=item.id))
    show_results = is_territory_admin() or has_role("governance_member")
    return render_template("needs/campaign.html", campaign=item, organization=organization,
                           answer=services.answer_of(item, organization), open=services.is_open(item),
                           rate=services.response_rate(item), results=services.results(item) if show_results else None,
                           values=values, errors=errors), status
