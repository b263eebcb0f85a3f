"""The portal's main menu: which entries a person sees and which one the current page belongs to."""
from flask import request
from flask_babel import lazy_gettext as _l

#: Blueprints (or endpoints) and the menu entry they belong to; plugins' pages belong to
#: "services", except their operator pages (see ``_section``).
_SECTIONS = {
    "portal": "services", "requests.service_page": "services", "requests.mine": "requests",
    "requests.detail": "requests", "requests.queue": "operator", "requests.operator_home": "operator",
    "needs": "needs", "projects": "needs", "governance": "governance", "notifications": "notifications",
    "membership.my_organization": "organization", "admin": "admin", "modules": "admin", "branding": "admin",
    "legal_admin": "admin", "indicators": "indicators", "tokens": "api", "account_settings": "settings",
    "calendar_settings": "settings",
}
_CORE_BLUEPRINTS = {"site", "accounts", "membership", "open_data", "legal", "ui", "static"}


def _section(operator_endpoints):
    endpoint = request.endpoint or ""
    if endpoint in _SECTIONS:
        return _SECTIONS[endpoint]
    blueprint = endpoint.split(".", 1)[0]
    if blueprint in _SECTIONS:
        return _SECTIONS[blueprint]
    if blueprint and blueprint not in _CORE_BLUEPRINTS:
        operator = endpoint in operator_endpoints or ".manage" in endpoint or endpoint.endswith(("_manage", ".round_page"))
        return "operator" if operator else "services"
    return None


def main_navigation(nav, operator_endpoints=()):
    """Return the menu entries for a signed-in member (notifications sit apart, as a bell in the header)."""
    entries = [("services", "portal.home", _l("Services"), "layout-grid", True)]
    if nav:
        entries += [
            ("requests", "requests.mine", _l("My requests"), "inbox", True),
            ("needs", "needs.board", _l("Needs and projects"), "lightbulb", nav.get("member")),
            ("governance", "governance.committee", _l("Governance"), "landmark", nav.get("member")),
            ("operator", "requests.operator_home", _l("Operator"), "clipboard-list", nav.get("operator")),
            ("organization", "membership.my_organization", _l("My organization"), "building-2", nav.get("referent")),
            ("indicators", "indicators.dashboard", _l("Indicators"), "chart-column", nav.get("indicators")),
            ("admin", "admin.dashboard", _l("Administration"), "settings", nav.get("admin")),
            ("settings", "account_settings.index", _l("My settings"), "user", nav.get("member")),
        ]
    current = _section(set(operator_endpoints))
    return [
        {"key": key, "endpoint": endpoint, "label": label, "icon": icon, "current": key == current}
        for key, endpoint, label, icon, shown in entries if shown
    ]
