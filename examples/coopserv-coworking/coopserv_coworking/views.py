"""Coworking desks operator page: the resources people can book."""
from flask import abort, flash, redirect, render_template, url_for
from marshmallow import ValidationError

from coopserv.plugin_api import can_operate, db, form_data, get_module, gettext, login_required, territory_blueprint

from . import SERVICE_KEY, services
from .schemas import ResourceSchema

bp = territory_blueprint("coworking", __name__, url_prefix="/coworking", template_folder="templates")


def _require_operator():
    module = get_module(SERVICE_KEY)
    if module is None:
        abort(404)
    if not can_operate(module):
        abort(403)


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
