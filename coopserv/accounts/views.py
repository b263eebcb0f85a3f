"""Sign in and out, sign up to a territory, reset a password, a referent's organization page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.accounts import services
from coopserv.accounts.access import home_territory_slug, referent_organizations
from coopserv.accounts.models import ACTIVE, Membership
from coopserv.accounts.schemas import (
    PasswordChangeSchema,
    PasswordResetRequestSchema,
    PasswordSchema,
    SignInSchema,
    SignUpSchema,
)
from coopserv.extensions import db, limiter
from coopserv.organizations.services import regenerate_invitation_code
from coopserv.tenancy import current_territory
from coopserv.web import form_data, safe_redirect_target, territory_blueprint

bp = Blueprint("accounts", __name__)
territory_bp = territory_blueprint("membership", __name__)



def _sign_in_key():
    """Limit guesses per address and account, so one office's NAT does not lock everybody out."""
    return f"{get_remote_address()}:{(request.form.get('email') or '').strip().lower()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_sign_in_key)
@limiter.limit("100 per minute", methods=["POST"])
def login():
    values, errors = {}, {}
    if request.method == "POST":
        values = form_data()
        try:
            data = SignInSchema().load(values)
        except ValidationError as error:
            errors = error.messages
        else:
            user = services.authenticate(data["email"], data["password"])
            if user is None:
                errors = {"password": [_("Wrong email or password.")]}
            else:
                login_user(user)
                return redirect(safe_redirect_target(_next_page(), _home_of(user)))
    return render_template("accounts/login.html", values=values, errors=errors), 422 if errors else 200


def _next_page():
    """The page that asked for the sign-in, unless it is the territory list or a sign-in page itself."""
    target = request.args.get("next") or ""
    if target.split("?", 1)[0] in ("", "/") or target.startswith(("/login", "/password/")):
        return None
    return target


def _home_of(user):
    """Where to land when no page asked for the sign-in: one's own portal, else the territory list."""
    slug = home_territory_slug(user)
    return url_for("portal.home", territory_slug=slug) if slug else url_for("site.index")


@bp.post("/logout")
def logout():
    """Sign out here and everywhere this session was copied (the session version changes)."""
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("site.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    values, errors, sent = {}, {}, False
    if request.method == "POST":
        values = form_data()
        try:
            data = PasswordResetRequestSchema().load(values)
        except ValidationError as error:
            errors = error.messages
        else:
            services.send_reset_mail(data["email"])
            sent = True
    return render_template("accounts/forgot.html", values=values, errors=errors, sent=sent), 422 if errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = services.user_from_reset_token(token)
    if user is None:
        return render_template("accounts/reset.html", invalid=True, errors={}), 400
    errors = {}
    if request.method == "POST":
        try:
            data = PasswordSchema().load(form_data())
        except ValidationError as error:
            errors = error.messages
        else:
            services.reset_password(user, data["password"])
            flash(_("Your password was changed; you can sign in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", invalid=False, errors=errors), 422 if errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    """Change one's password; sessions on other devices end, this one goes on."""
    errors = {}
    if request.method == "POST":
        try:
            data = PasswordChangeSchema().load(form_data())
        except ValidationError as error:
            errors = error.messages
        else:
            user = current_user._get_current_object()
            if services.change_password(user, data["current_password"], data["password"]):
                login_user(user)
                flash(_("Your password was changed; your other sessions are signed out."), "success")
                return redirect(url_for("accounts.change_password"))
            errors = {"current_password": [_("This is not your current password.")]}
    return render_template("accounts/password.html", errors=errors), 422 if errors else 200


@territory_bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Join the territory: straight in with an invitation code, or pending an admin's approval."""
    # A poster's QR code, a copied sign-up link or an e-mailed invitation carries the organization's code.
    values, errors = {"invitation_code": request.args.get("code", "")[:16],
                      "email": request.args.get("email", "")[:254]}, {}
    if request.method == "POST":
        values = form_data()
        try:
            data = SignUpSchema().load(values)
            user, membership = services.sign_up(current_territory(), data)
        except ValidationError as error:
            db.session.rollback()
            errors = error.messages
        else:
            login_user(user)
            if membership.status == ACTIVE:
                flash(_("Welcome! You joined %(org)s.", org=membership.organization.name), "success")
            else:
                flash(_("Your account was created; a territory administrator will attach it to your organization."),
                      "info")
            return redirect(url_for("portal.home"))
    return render_template("accounts/signup.html", values=values, errors=errors), 422 if errors else 200


@territory_bp.route("/my-organization", methods=["GET", "POST"])
@login_required
def my_organization():
    """A company referent hands out the invitation code and sees who joined."""
    organizations = referent_organizations()
    if not organizations:
        abort(403)
    if request.method == "POST":
        target = next((o for o in organizations if str(o.id) == request.form.get("organization_id")), None)
        if target is None:
            abort(403)
        regenerate_invitation_code(target)
        flash(_("A new invitation code was made; the old one no longer works."), "success")
        return redirect(url_for("membership.my_organization"))
    ids = [o.id for o in organizations]
    members = db.session.scalars(
        select(Membership).where(Membership.organization_id.in_(ids))
        .options(selectinload(Membership.user)).order_by(Membership.id)
    ).all()
    return render_template("accounts/my_organization.html", organizations=organizations, members=members)
