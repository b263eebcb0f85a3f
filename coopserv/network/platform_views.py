"""Platform operators create networks at /networks/new, and make the platform tokens the API creates them with.

The network's coordinators run a network from then on.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.extensions import db, limiter
from coopserv.tokens import services as tokens
from coopserv.tokens.models import PlatformToken
from coopserv.tokens.schemas import load_token_form
from coopserv.web import form_data, json_error, wants_json

from . import services
from .schemas import NetworkSchema

bp = Blueprint("networks", __name__, url_prefix="/networks")


@bp.before_request
def _platform_operators_only():
    """Networks sit above territories: only platform operators create them (as with `coopserv network create`)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_platform_admin:
        abort(403)


def _page(values, errors=None, status=200):
    return render_template("network/new.html", values=values, errors=errors or {}), status


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def new():
    if request.method == "GET":
        return _page({})
    values = form_data()
    try:
        network = services.create_network(NetworkSchema().load(values), current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        return _page(values, error.messages, 422)
    if wants_json():
        return {"slug": network.slug, "name": network.name}, 201
    flash(_("The network is created: add its member territories, partners and coordinators."), "success")
    return redirect(url_for("network.admin", network_slug=network.slug))


# -- platform tokens (POST /api/v1/networks/) -----------------------------------------------------------
def _tokens_page(errors=None, values=None, secret=None, created=None, status=200):
    return render_template("network/platform_tokens.html", tokens=tokens.platform_tokens(current_user),
                           errors=errors or {}, values=values or {}, secret=secret, created=created), status


@bp.get("/tokens")
def platform_tokens():
    return _tokens_page()


@bp.post("/tokens")
@limiter.limit("10 per hour", key_func=lambda: f"platform-token-create:{current_user.get_id()}")
def create_platform_token():
    values = form_data()
    try:
        data = load_token_form(values)
    except ValidationError as error:
        return _tokens_page(error.messages, values, status=422)
    token, secret = tokens.create_platform_token(current_user, data["name"], data["read_only"])
    return _tokens_page(secret=secret, created=token)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_platform_token(token_id):
    token = db.session.scalar(select(PlatformToken).filter_by(id=token_id, user_id=current_user.id))
    if token is None:
        abort(404)
    tokens.revoke_platform_token(token)
    flash(_("The token is revoked: scripts using it are refused from now on."), "success")
    return redirect(url_for("networks.platform_tokens"))
