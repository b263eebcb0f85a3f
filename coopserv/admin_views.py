"""Territory admin pages: organizations, members and roles, audit log, plugins, personal data."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coopserv.accounts import services as accounts
from coopserv.accounts.models import PENDING, ROLES, TERRITORY_ADMIN, Membership
from coopserv.accounts.schemas import RoleGrantSchema
from coopserv.audit.models import AuditEntry
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.invitations.admin_views import pending_invitations, signup_link
from coopserv.invitations.schemas import INVITABLE_ROLES
from coopserv.modules.services import list_modules
from coopserv.onboarding.checklist import checklist
from coopserv.organizations import services as organizations
from coopserv.organizations.models import ORGANIZATION_KINDS, SIZE_BANDS, Organization
from coopserv.organizations.schemas import OrganizationSchema
from coopserv.pagination import keyset_page, page_keys
from coopserv.plugin_host import plugin_host
from coopserv.privacy.services import count_person_rows, erase_person, export_person
from coopserv.tenancy import current_territory
from coopserv.web import form_data, json_error, roles_required, territory_blueprint, wants_json

bp = territory_blueprint("admin", __name__, url_prefix="/admin")
MEMBERS_PER_PAGE = 50


@bp.get("/")
@roles_required(TERRITORY_ADMIN)
def dashboard():
    # One pass over the memberships for both counts; the organizations are listed on the page anyway.
    pending, member_count = db.session.execute(select(
        func.count(Membership.id).filter(Membership.status == PENDING),
        func.count(func.distinct(Membership.user_id)))).one()
    territory_organizations = organizations.list_organizations()
    return render_template("admin/dashboard.html", pending=pending, org_count=len(territory_organizations),
                           member_count=member_count, modules=list_modules(), indicators=plugin_host().indicators,
                           organizations=territory_organizations, steps=checklist())


@bp.route("/towns", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def towns():
    """The territory's towns, added at once from its EPCI's SIREN (several for a PETR) or INSEE codes (never typed)."""
    from coopserv.territories.services import add_towns, list_towns, towns_from_division

    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = form_data()
        siren = values.get("epci") if isinstance(values.get("epci"), str) else ""
        codes = values.get("communes") if isinstance(values.get("communes"), str) else ""
        try:
            if not siren.strip() and not codes.strip():
                raise ValidationError({"epci": [_("Give the SIREN of an EPCI or INSEE codes.")]})
            communes = towns_from_division(siren.replace(",", " ").split(), codes.replace(",", " ").split())
        except ValidationError as error:
            if wants_json():
                return json_error(422, _("Some fields are not valid."), error.messages)
            errors, status = error.messages, 422
        else:
            added = add_towns(current_territory(), communes)
            if wants_json():
                return {"added": added}
            flash(ngettext("%(num)d town added.", "%(num)d towns added.", added), "success")
            return redirect(url_for("admin.towns"))
    return render_template("admin/towns.html", towns=list_towns(), errors=errors, values=values), status


@bp.route("/territory", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def territory_settings():
    """The territory's time zone: every time is shown and typed in it (stored times do not move)."""
    from coopserv.territories.schemas import TerritoryTimezoneSchema
    from coopserv.territories.services import set_timezone
    from coopserv.timeutil import local_now, timezone_choices

    territory = current_territory()
    values, errors = {"timezone": territory.timezone}, {}
    if request.method == "POST":
        values = form_data()
        try:
            set_timezone(territory, TerritoryTimezoneSchema().load(values), current_user)
        except ValidationError as error:
            db.session.rollback()
            errors = error.messages
            if request.is_json:
                return jsonify({"status": 422, "message": _("Some fields are not valid."), "errors": errors}), 422
        else:
            flash(_("The time zone is saved."), "success")
            return redirect(url_for("admin.territory_settings"))
    return render_template("admin/territory.html", values=values, errors=errors, zones=timezone_choices(),
                           now=local_now(territory)), 422 if errors else 200


@bp.route("/organizations", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def organizations_page():
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = form_data()
        try:
            organization = organizations.create_organization(OrganizationSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            # Its page comes next: whom to invite, its sign-up link and poster.
            flash(_("The organization is created."), "success")
            return redirect(url_for("admin.organization_page", organization_id=organization.id))
    return render_template("admin/organizations.html", organizations=organizations.list_organizations(),
                           values=values, errors=errors, kinds=ORGANIZATION_KINDS, size_bands=SIZE_BANDS), status


def _organization_or_404(organization_id):
    organization = db.session.scalar(select(Organization).filter_by(id=organization_id))
    if organization is None:
        abort(404)
    return organization


@bp.get("/organizations/<int:organization_id>")
@roles_required(TERRITORY_ADMIN)
def organization_page(organization_id):
    """The organization as it takes part: people and referents, services used, needs; editing is secondary."""
    organization = _organization_or_404(organization_id)
    return render_template("admin/organization.html", organization=organization,
                           **organizations.organization_overview(organization),
                           signup_link=signup_link(organization), invitable_roles=INVITABLE_ROLES,
                           organizations=[organization],
                           pending_invitations=pending_invitations(organization_id=organization.id))


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def organization_edit(organization_id):
    organization = _organization_or_404(organization_id)
    errors, status = {}, 200
    values = {c: getattr(organization, c) for c in OrganizationSchema().fields}
    if request.method == "POST":
        values = form_data()
        try:
            organizations.update_organization(organization, OrganizationSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            flash(_("The organization is saved."), "success")
            return redirect(url_for("admin.organization_page", organization_id=organization.id))
    return render_template("admin/organization_edit.html", organization=organization, values=values, errors=errors,
                           kinds=ORGANIZATION_KINDS, size_bands=SIZE_BANDS), status


@bp.get("/members")
@roles_required(TERRITORY_ADMIN)
def members():
    """Members and their roles, pending sign-ups first, 50 a page."""
    # Clamped: a page number past any territory's size reads an empty page, never an offset the database refuses.
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    # Loaded first for the forms' choices, they are in the session when rows name their organization and module.
    territory_organizations, modules = organizations.list_organizations(), list_modules()
    rows = db.session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .order_by(Membership.status.desc(), Membership.id)
        .limit(MEMBERS_PER_PAGE + 1).offset((page - 1) * MEMBERS_PER_PAGE)
    ).all()
    return render_template("admin/members.html", memberships=rows[:MEMBERS_PER_PAGE], roles=ROLES, page=page,
                           has_more=len(rows) > MEMBERS_PER_PAGE, invitable_roles=INVITABLE_ROLES,
                           pending_invitations=pending_invitations(),
                           organizations=territory_organizations, modules=modules, errors={})


@bp.post("/members/<int:membership_id>/approve")
@roles_required(TERRITORY_ADMIN)
def approve(membership_id):
    membership = _membership_or_404(membership_id)
    try:
        accounts.approve_membership(membership, request.form.get("organization_id", type=int))
    except ValidationError as error:
        db.session.rollback()
        flash(" ".join(error.messages.get("organization_id", [])), "error")
    return redirect(url_for("admin.members"))


@bp.post("/members/<int:membership_id>/grant")
@roles_required(TERRITORY_ADMIN)
def grant(membership_id):
    """Give the member of this row another role (operators name their module)."""
    membership = _membership_or_404(membership_id)
    try:
        data = RoleGrantSchema().load(form_data())
        module_ids = {m.id for m in list_modules()}
        if data.get("module_id") and data["module_id"] not in module_ids:
            raise ValidationError({"module_id": [_("Choose a service of this territory.")]})
        org_id = data.get("organization_id")
        if org_id and db.session.scalar(select(Organization.id).filter_by(id=org_id)) is None:
            raise ValidationError({"organization_id": [_("Choose an organization of this territory.")]})
        accounts.grant_role(membership.user, data["role"], org_id or membership.organization_id, data.get("module_id"))
    except ValidationError as error:
        db.session.rollback()
        flash("; ".join(m for msgs in error.messages.values() for m in msgs), "error")
    else:
        flash(_("The role is given."), "success")
    return redirect(url_for("admin.members"))


@bp.post("/members/<int:membership_id>/revoke")
@roles_required(TERRITORY_ADMIN)
def revoke(membership_id):
    membership = _membership_or_404(membership_id)
    if membership.user_id == current_user.id and membership.role == TERRITORY_ADMIN:
        flash(_("You cannot remove your own administrator role."), "error")
        return redirect(url_for("admin.members"))
    accounts.revoke_membership(membership)
    flash(_("The role is removed."), "success")
    return redirect(url_for("admin.members"))


@bp.get("/audit")
@roles_required(TERRITORY_ADMIN)
def audit():
    """The audit log, newest first, 50 entries a page (by key)."""
    before, after = page_keys()
    page = keyset_page(select(AuditEntry).options(selectinload(AuditEntry.actor)), AuditEntry.id, before, after,
                       per_page=50)
    return render_template("admin/audit.html", entries=page.rows, page=page)


@bp.get("/plugins")
@roles_required(TERRITORY_ADMIN)
def plugins():
    host = plugin_host()
    return render_template("admin/plugins.html", infos=sorted(host.infos.values(), key=lambda i: i.name),
                           service_types=host.service_types, owners=host.service_type_plugin)


def _member_user(user_id):
    """A person may be exported or erased from here only if they belong to this territory."""
    membership = db.session.scalar(select(Membership).filter_by(user_id=user_id).limit(1))
    if membership is None:
        abort(404)
    return membership.user


@bp.get("/people/<int:user_id>/export")
@roles_required(TERRITORY_ADMIN)
def export_personal_data(user_id):
    user = _member_user(user_id)
    record("privacy.exported", user.email)
    db.session.commit()
    response = jsonify(export_person(user, withhold_confidential=True))
    response.headers["Content-Disposition"] = f"attachment; filename=personal-data-{user.id}.json"
    return response


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def erase_personal_data(user_id):
    """Confirm, then erase a person: what they wrote becomes "contribution removed", the rest goes."""
    user = _member_user(user_id)
    refusal = _erase_refusal(user)
    errors = {}
    if request.method == "POST":
        if refusal:
            abort(403)
        if request.form.get("confirm") != "yes":
            errors = {"confirm": [_("Tick the box to confirm the erasure.")]}
        else:
            # The erasure records itself, under a pseudonym: the audit log never keeps the e-mail.
            erase_person(user, actor=current_user)
            flash(_("Everything about this person was erased."), "success")
            return redirect(url_for("admin.members"))
    held = {label: count for label, count in count_person_rows(user).items() if count}
    return render_template("admin/erase.html", person=user, refusal=refusal, held=held,
                           errors=errors), 422 if errors else 200


def _erase_refusal(user):
    """Why this admin may not erase ``user`` here (a message), or None."""
    if user.id == current_user.id:
        return _("You cannot erase your own account from here.")
    if user.is_platform_admin:
        return _("A platform administrator is erased by the platform operator.")
    if _belongs_elsewhere(user):
        return _("This person also belongs to another territory: the platform operator erases them "
                 "(coopserv person erase).")
    return None


def _belongs_elsewhere(user):
    """A person who also belongs to another territory is erased by a platform admin (CLI), not here."""
    from coopserv.tenancy import ALL_TERRITORIES

    return db.session.scalar(
        select(func.count(Membership.id))
        .where(Membership.user_id == user.id, Membership.territory_id != current_territory().id)
        .execution_options(**{ALL_TERRITORIES: True})
    ) > 0


def _membership_or_404(membership_id):
    membership = db.session.scalar(select(Membership).filter_by(id=membership_id))
    if membership is None:
        abort(404)
    return membership
