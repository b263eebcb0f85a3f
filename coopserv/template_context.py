"""Values every template can use: the territory, the user's roles, unread notifications."""
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from coopserv.accounts.access import all_memberships, has_role, is_member, operated_module_ids
from coopserv.accounts.models import COMPANY_REFERENT, GOVERNANCE_MEMBER, TERRITORY_ADMIN
from coopserv.legal.views import footer_links
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import current_territory, request_cache
from coopserv.ui.navigation import main_navigation


def template_context():
    """The values of every template, computed once per request (pages render several templates)."""
    cache = request_cache()
    if cache is None:
        return _template_context()
    if "template_context" not in cache:
        cache["template_context"] = _template_context()
    return cache["template_context"]


def _template_context():
    territory = current_territory()
    context = {
        "territory": territory,
        "languages": current_app.config["LANGUAGES"],
        "current_locale": str(get_locale()),
        "nav": {},
    }
    if territory is not None and current_user.is_authenticated:
        from coopserv.notifications.services import unread_count

        context["nav"] = {
            "member": is_member(),
            "admin": has_role(TERRITORY_ADMIN),
            "referent": has_role(COMPANY_REFERENT),
            "indicators": has_role(TERRITORY_ADMIN) or has_role(GOVERNANCE_MEMBER),
            "operator": bool(operated_module_ids()) or has_role(TERRITORY_ADMIN),
            "unread": unread_count(current_user.id),
            "pending": any(m.status == "pending" for m in all_memberships()),
        }
        from coopserv.accounts.preview import previewed_organization

        context["preview_organization"] = previewed_organization()
    context["current_path"] = request.full_path.rstrip("?") if request else "/"
    context["main_nav"] = main_navigation(context["nav"], _operator_endpoints()) if territory is not None else []
    context["footer_links"] = footer_links()
    return context


def _operator_endpoints():
    return {kind.operator_endpoint for kind in plugin_host().service_types.values() if kind.operator_endpoint}
