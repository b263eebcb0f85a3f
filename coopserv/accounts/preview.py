"""Preview as an employee: a territory admin sees the portal as an employee of one organization would.

The preview lives in the admin's session, for one territory. While it lasts
the admin's memberships are replaced by a single employee membership of the
chosen organization (so every page decides exactly as for that employee), and
``install_preview_guard`` refuses every write except ending the preview.
"""
from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coopserv.tenancy import current_territory
from coopserv.web import json_error, wants_json

SESSION_KEY = "employee_preview"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
#: Endpoints that still accept a POST during a preview: ending it, and signing out.
ALLOWED_WRITES = ("preview.end", "accounts.logout", "site.set_language")


#: The audit action written when a preview starts; the getting-started checklist reads it.
PREVIEW_STARTED = "preview.started"


def start_preview(organization, return_to, service_key=""):
    """Remember in the session that this admin previews ``organization``'s employees' view.

    The start is audited: the getting-started checklist counts its "preview" step done from it.
    """
    from coopserv.audit.services import record
    from coopserv.extensions import db

    session[SESSION_KEY] = {"territory_id": organization.territory_id, "organization_id": organization.id,
                            "return_to": return_to}
    record(PREVIEW_STARTED, organization.name, organization_id=organization.id, service_key=service_key)
    db.session.commit()


def end_preview():
    """Forget the preview; return where the admin started it from (or None)."""
    preview = session.pop(SESSION_KEY, None) or {}
    return preview.get("return_to")


def preview_settings():
    """The preview of the current territory, as stored in the session, or None."""
    if not current_user.is_authenticated:
        return None
    preview = session.get(SESSION_KEY)
    territory = current_territory()
    if not isinstance(preview, dict) or territory is None or preview.get("territory_id") != territory.id:
        return None
    return preview


def preview_memberships(real_memberships):
    """The memberships pages see: a single employee membership while an admin previews, else the real ones.

    The preview is honoured only while the person really administers the territory.
    """
    from coopserv.accounts.models import ACTIVE, EMPLOYEE, TERRITORY_ADMIN, Membership
    from coopserv.extensions import db
    from coopserv.organizations.models import Organization

    preview = preview_settings()
    if preview is None:
        return real_memberships
    is_admin = current_user.is_platform_admin or any(m.role == TERRITORY_ADMIN for m in real_memberships)
    organization = db.session.get(Organization, preview.get("organization_id")) if is_admin else None
    if organization is None or organization.territory_id != current_territory().id:
        session.pop(SESSION_KEY, None)
        return real_memberships
    # A transient row, never added to the session: nothing of the preview is ever stored.
    membership = Membership(user_id=current_user.id, role=EMPLOYEE, status=ACTIVE,
                            organization_id=organization.id, territory_id=organization.territory_id)
    membership.organization = organization
    return [membership]


def previewed_organization():
    """The organization being previewed in the current territory, or None."""
    from coopserv.accounts.access import active_memberships, is_previewing

    if preview_settings() is None or not is_previewing():
        return None
    return active_memberships()[0].organization


def install_preview_guard(app):
    """Refuse every write during a preview (read-only), except ending it or signing out."""

    @app.before_request
    def _refuse_writes_during_preview():
        if request.method in SAFE_METHODS or request.endpoint in ALLOWED_WRITES:
            return None
        if previewed_organization() is None:
            return None
        message = _("You are previewing the portal as an employee: nothing can be changed. End the preview first.")
        if wants_json():
            return json_error(403, message)
        flash(message, "error")
        return redirect(url_for("portal.home"), 303)
