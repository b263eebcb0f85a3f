"""The page an invited person lands on: set up an account (or sign in), then join the territory."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from marshmallow import ValidationError

from coopserv.accounts.services import find_user_by_email
from coopserv.extensions import db, limiter
from coopserv.web import form_data, territory_blueprint

from . import services
from .schemas import AcceptSchema

bp = territory_blueprint("invitations", __name__, url_prefix="/invitations")

PROBLEMS = {
    "invalid": lambda: _("This invitation link is not valid. Ask the territory for a new one."),
    "expired": lambda: _("This invitation has expired. Ask the territory to send it again."),
    "revoked": lambda: _("This invitation was withdrawn."),
    "accepted": lambda: _("This invitation was already accepted: sign in to use your account."),
}


def _page(invitation, status=200, **context):
    context.setdefault("errors", {})
    context.setdefault("values", {"name": invitation.name} if invitation else {})
    return render_template("invitations/accept.html", invitation=invitation,
                           role=services.role_label(invitation.role) if invitation else "", **context), status


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept(token):
    """Show the invitation; accept it with a new account, or as the signed-in invited person."""
    invitation, problem = services.from_token(token)
    if problem is not None:
        return _page(None if problem == "invalid" else invitation, 400 if problem != "accepted" else 200,
                     problem=PROBLEMS[problem]())
    if current_user.is_authenticated:
        if current_user.email.lower() != invitation.email:
            return _page(invitation, 403, mode="other_account")
        if request.method == "POST":
            services.accept(invitation, current_user)
            flash(_("Welcome! You joined the territory."), "success")
            return redirect(url_for("portal.home"))
        return _page(invitation, mode="confirm")
    if find_user_by_email(invitation.email) is not None:
        return _page(invitation, mode="sign_in", login_url=url_for("accounts.login", next=request.path))
    if request.method == "POST":
        values = form_data()
        try:
            user = services.accept_with_new_account(invitation, AcceptSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            return _page(invitation, 422, mode="new_account", errors=error.messages,
                         values={"name": values.get("name", "")})
        login_user(user)
        flash(_("Welcome! Your account is ready and you joined the territory."), "success")
        return redirect(url_for("portal.home"))
    return _page(invitation, mode="new_account")
