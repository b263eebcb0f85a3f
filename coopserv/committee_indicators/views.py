"""Pages of committee indicators: the list, defining one, and entering monthly figures.

Territory admins and committee members read and define them; the person named
for a manual indicator (and territory admins) enter its figures. The values
themselves show on the shared indicators dashboard, with every other indicator.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from coopserv.accounts.access import has_role, is_territory_admin
from coopserv.accounts.models import GOVERNANCE_MEMBER
from coopserv.extensions import db
from coopserv.indicators.services import current_month
from coopserv.web import form_data, json_error, territory_blueprint, wants_json

from . import services
from .models import AGGREGATIONS, COUNT, METHODS
from .schemas import DefinitionSchema, FigureSchema
from .sources import SOURCES

bp = territory_blueprint("committee_indicators", __name__, url_prefix="/indicators/committee")


def _require_committee():
    """Territory admins and committee members define and read the committee's indicators."""
    if not (is_territory_admin() or has_role(GOVERNANCE_MEMBER)):
        abort(403)


def _definition_or_404(indicator_id):
    definition = services.get_definition(indicator_id)
    if definition is None:
        abort(404)
    return definition


def _form_context(values, errors):
    return {"values": values, "errors": errors,
            "method_options": [(k, _(v)) for k, v in METHODS.items()],
            "aggregation_options": [(k, _(v)) for k, v in AGGREGATIONS.items()],
            "source_options": [(k, _(s.label)) for k, s in SOURCES.items()],
            "sources": {key: [(name, _(f.label), [(str(v), _(label)) for v, label in f.choices()])
                              for name, f in source.filters.items()] for key, source in SOURCES.items()},
            "reporter_options": [(u.id, u.name) for u in services.reporters()],
            "active_options": [("true", _("Measured and shown")), ("false", _("Archived (kept, not shown)"))]}


def _definition_data(values):
    """The form's fields as the schema's data: filters are read from the chosen source's own fields."""
    if request.is_json:
        return values
    source = values.get("source") or ""
    prefix = f"filter_{source}_"
    data = {key: value for key, value in values.items() if not key.startswith("filter_")}
    data["filters"] = {key.removeprefix(prefix): value for key, value in values.items()
                       if key.startswith(prefix) and value}
    return data


def _save(definition=None):
    values = form_data()
    try:
        data = DefinitionSchema().load(_definition_data(values))
        if definition is None:
            definition = services.create_definition(data, current_user)
        else:
            services.update_definition(definition, data, current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        return render_template("committee_indicators/edit.html", definition=definition,
                               **_form_context(values, error.messages)), 422
    if wants_json():
        return {"id": definition.id, "key": definition.key}, 200 if request.view_args.get("indicator_id") else 201
    flash(_("The indicator is saved; it shows on the shared indicators dashboard."), "success")
    return redirect(url_for("committee_indicators.index"))


@bp.get("/")
@login_required
def index():
    _require_committee()
    return render_template("committee_indicators/index.html", definitions=services.list_definitions(),
                           methods=METHODS, sources=SOURCES, admin=is_territory_admin())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    _require_committee()
    if request.method == "POST":
        return _save()
    return render_template("committee_indicators/edit.html", definition=None,
                           **_form_context({"method": "manual", "aggregation": "sum", "active": "true"}, {}))


@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit(indicator_id):
    _require_committee()
    definition = _definition_or_404(indicator_id)
    if request.method == "POST":
        return _save(definition)
    values = {name: getattr(definition, name) for name in ("name", "unit", "description", "method", "reporter_id",
                                                           "aggregation", "source", "target_value", "per_employees")}
    values["active"] = "true" if definition.active else "false"
    if definition.method == COUNT:
        values.update({f"filter_{definition.source}_{k}": v for k, v in (definition.filters or {}).items()})
    return render_template("committee_indicators/edit.html", definition=definition, **_form_context(values, {}))


@bp.route("/<int:indicator_id>/figures", methods=["GET", "POST"])
@login_required
def figures(indicator_id):
    """The monthly figures of a manual indicator; its named reporter (or an admin) enters them."""
    definition = _definition_or_404(indicator_id)
    may_enter = services.may_enter_figures(definition, current_user, is_territory_admin())
    if not (may_enter or is_territory_admin() or has_role(GOVERNANCE_MEMBER)):
        abort(403)
    values, errors, status = {"month": current_month().strftime("%Y-%m")}, {}, 200
    if request.method == "POST":
        values = form_data()
        try:
            services.enter_figure(definition, FigureSchema().load(values), current_user, is_territory_admin())
        except services.NotAllowed:
            abort(403)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"id": definition.id, "month": values.get("month")}, 201
            flash(_("The figure is recorded."), "success")
            return redirect(url_for("committee_indicators.figures", indicator_id=definition.id))
    return render_template("committee_indicators/figures.html", definition=definition, may_enter=may_enter,
                           figures=services.figures_of(definition), values=values, errors=errors), status

