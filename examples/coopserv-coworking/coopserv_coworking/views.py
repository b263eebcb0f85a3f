"""Coworking desks operator page: the resources people can book."""
from flask import flash, redirect, render_template, url_for
from marshmallow import ValidationError

from coopserv.plugin_api import (
    db,
    form_data,
    gettext,
    login_required,
    require_module,
    territory_blueprint,
)

from . import SERVICE_KEY, services
from .schemas import ResourceSchema

bp = territory_blueprint("coworking", __name__, url_prefix="/coworking", template_folder="templates")


def _require_operator():
    return require_module(SERVICE_KEY, "operator")


@bp.route("/manage", methods=["GET", "POST"])
@login_required
def manage():
    _require_operator()
    errors, values, status = {}, {}, 200
    from flask import request

    if request.method == "POST":
        values = form_data()
        try:
            services.create_resource(ResourceSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("coworking.manage"))
    return render_template("coworking/manage.html", resources=services.all_resources(), errors=errors,
                           values=values), status
