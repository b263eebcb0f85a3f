"""A person's settings page where they create and revoke API tokens for this territory."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.accounts.access import is_member
from coopserv.extensions import db, limiter
from coopserv.tenancy import current_territory
from coopserv.tokens import services
from coopserv.tokens.models import AccessToken
from coopserv.tokens.schemas import load_token_form
from coopserv.web import form_data, territory_blueprint

bp = territory_blueprint("tokens", __name__, url_prefix="/settings/tokens")


def _require_member():
    if not is_member():
        abort(403)


@bp.get("/")
@login_required
def index():
    _require_member()
    return render_template("tokens/index.html", tokens=services.user_tokens(current_user), errors={}, values={},
                           secret=None)


@bp.post("/")
@login_required
@limiter.limit("10 per hour", key_func=lambda: f"token-create:{current_user.get_id()}")
def create():
    _require_member()
    values = form_data()
    try:
        data = load_token_form(values)
    except ValidationError as error:
        return render_template("tokens/index.html", tokens=services.user_tokens(current_user),
                               errors=error.messages, values=values, secret=None), 422
    token, secret = services.create_token(current_user, current_territory(), data["name"], data["read_only"])
    return render_template("tokens/index.html", tokens=services.user_tokens(current_user), errors={}, values={},
                           secret=secret, created=token)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    token = db.session.scalar(select(AccessToken).filter_by(id=token_id, user_id=current_user.id))
    if token is None:
        abort(404)
    services.revoke_token(token, current_user)
    flash(_("The token is revoked: scripts using it are refused from now on."), "success")
    return redirect(url_for("tokens.index"))
