"""Start and end an admin's read-only preview of the portal as an employee of one organization."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.accounts.preview import end_preview, start_preview
from coopserv.extensions import db
from coopserv.modules.services import get_module
from coopserv.organizations.models import Organization
from coopserv.web import form_data, json_error, roles_required, territory_blueprint, wants_json

bp = territory_blueprint("preview", __name__, url_prefix="/preview")


@bp.post("/start")
@roles_required(TERRITORY_ADMIN)
def start():
    """Preview the portal (or one service's page) as an employee of the chosen organization."""
    values = form_data()
    raw_id = values.get("organization_id")
    organization = None
    if isinstance(raw_id, str) and raw_id.isdigit():
        organization = db.session.scalar(select(Organization).where(Organization.id == int(raw_id)))
    service_key = values.get("service_key") if isinstance(values.get("service_key"), str) else ""
    module = get_module(service_key) if service_key else None
    if service_key and module is None:
        abort(404)
    back = url_for("modules.configure", service_key=module.service_key) if module else url_for("admin.dashboard")
    if organization is None:
        message = _("Choose an organization of this territory.")
        if wants_json():
            return json_error(422, _("Some fields are not valid."), {"organization_id": [message]})
        flash(message, "error")
        return redirect(back, 303)
    start_preview(organization, back, module.service_key if module else "")
    if wants_json():
        return {"organization_id": organization.id, "return_to": back}
    target = url_for("requests.service_page", service_key=module.service_key) if module else url_for("portal.home")
    return redirect(target, 303)


@bp.post("/end")
@login_required
def end():
    """End the preview and go back to the page it was started from."""
    back = end_preview()
    if not (isinstance(back, str) and back.startswith("/") and not back.startswith("//")):
        back = url_for("portal.home")
    if wants_json():
        return {"ended": True}
    return redirect(back, 303)
