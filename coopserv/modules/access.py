"""One access check for every plugin page: load the territory's module, then decide who may go on.

The answer codes are the same for every plugin (docs/plugin-guide.md, "Module access"):

- **404** — the territory has no module of this service, it is disabled, or no loaded plugin
  declares the service; for ``USER`` pages also when the module is hidden from the person
  (stopped stage): there is nothing to show, and nothing to tell about.
- **403** — ``OPERATOR`` pages: the person neither operates this module nor administers the
  territory. ``USER`` pages: the person is not an operator and may not use the module now
  (not a member of the territory, employer not a pilot organization at prototype or pilot
  stage, employer not taking part in a members-only module, quota used up).
  ``MEMBER`` pages: the person is not an active member of the territory (hidden modules: 404).
- anonymous visitors are sent to sign in (401 with JSON) before any of these, except on ``ANY``
  pages, which check nothing about the person (a sensor's key, a family's own case: the page
  checks that itself).
"""
from flask import abort, current_app
from flask_login import current_user

from coopserv.accounts.access import can_operate, employer, is_member
from coopserv.modules.services import availability, get_module
from coopserv.plugin_host import service_type

#: The module's operators and the territory's admins.
OPERATOR = "operator"
#: Operators, and people whose employer may use the module now (stage, pilots, access, quotas).
USER = "user"
#: Operators, and any active member of the territory (pages that show the module, not use it).
MEMBER = "member"
#: Anyone, signed in or not: only the module is checked (enabled, its plugin loaded).
ANY = "any"
WHO = (OPERATOR, USER, MEMBER, ANY)


def require_module(service_key, who=USER):
    """Return the current territory's enabled module for ``service_key`` if the signed-in person may use it.

    ``who`` is ``OPERATOR``, ``USER`` (default), ``MEMBER`` or ``ANY``;
    otherwise the request ends with 404 or 403 as the module docstring lists,
    the same for every plugin.
    """
    if who not in WHO:
        raise ValueError(f"who must be one of {WHO}, not {who!r}")
    if who != ANY and not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    module = get_module(service_key)
    if module is None or not module.enabled or service_type(service_key) is None:
        abort(404)
    if who == ANY or can_operate(module):
        return module
    if who == OPERATOR:
        abort(403)
    status = availability(module, employer())
    if not status.visible:
        abort(404)
    if not is_member() or (who == USER and not status.allowed):
        abort(403)
    return module
