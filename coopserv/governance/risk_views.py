"""The risk register page: admins and committee members read it, territory admins write it."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from coopserv.accounts.access import has_role, is_territory_admin
from coopserv.accounts.models import GOVERNANCE_MEMBER, TERRITORY_ADMIN
from coopserv.input_guard import bounded_id
from coopserv.web import form_data, roles_required, wants_json

from . import risks
from .models import RISK_CATEGORIES
from .schemas import RiskSchema
from .views import _common, _invalid, _or_404, _people, bp


def _require_reader():
    if not (is_territory_admin() or has_role(GOVERNANCE_MEMBER)):
        abort(403)


def _risks_page(errors=None, values=None, editing=None, status=200):
    context = dict(_common(), risks=risks.list_risks(), people=_people(), errors=errors or {},
                   values=values or {}, editing=editing,
                   category_options=[(k, _(v)) for k, v in RISK_CATEGORIES.items()])
    return render_template("governance/risks.html", **context), status


@bp.get("/risks")
@login_required
def risk_register():
    _require_reader()
    editing = risks.get_risk(request.args.get("edit", type=int)) if is_territory_admin() else None
    values = {}
    if editing is not None:
        values = {name: getattr(editing, name) for name in ("title", "category", "likelihood", "impact",
                                                            "mitigation", "owner_id", "review_on")}
        values["review_on"] = editing.review_on.isoformat()
    return _risks_page(values=values, editing=editing)


@bp.post("/risks")
@roles_required(TERRITORY_ADMIN)
def save_risk():
    values = form_data()
    risk = None
    if values.get("risk_id"):
        risk_id = bounded_id(values["risk_id"])
        risk = _or_404(risks.get_risk(risk_id) if risk_id else None)
    try:
        risks.save_risk(RiskSchema().load(values), risk, current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _risks_page(e, values, risk)[0])
    if wants_json():
        return {"saved": True}, 201
    flash(_("The risk is saved."), "success")
    return redirect(url_for("governance.risk_register"))
