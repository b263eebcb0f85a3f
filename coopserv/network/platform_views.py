"""Platform operators create networks at /networks/new; the network's coordinators run it from then on."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from coopserv.extensions import db, limiter
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
