"""The stable facade plugins import from; the core keeps these names working.

A plugin needs nothing else from coopserv (ruff's banned-api rule in
pyproject.toml refuses any other ``coopserv`` import under plugins/ and
examples/); its tests also use ``coopserv.testing``. Every name is listed in
``__all__`` (sorted) and described in docs/plugin-guide.md, whose reference
part is generated from the docstrings (``python -m coopserv.guide``).
"""
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required

from coopserv.accounts.access import (
    can_operate,
    employer,
    employer_of,
    has_role,
    is_member,
    is_territory_admin,
    referent_organizations,
)
from coopserv.accounts.models import (
    ACTIVE,
    COMPANY_REFERENT,
    EMPLOYEE,
    GOVERNANCE_MEMBER,
    SERVICE_OPERATOR,
    TERRITORY_ADMIN,
    Membership,
    User,
)
from coopserv.accounts.services import create_user
from coopserv.api.auth import require_role as api_require_role
from coopserv.api.auth import territory_api_blueprint
from coopserv.demo import DEMO_PASSWORD
from coopserv.extensions import csrf, db
from coopserv.hookspecs import hookimpl
from coopserv.i18n import _l
from coopserv.indicators.sql import hours_between, median
from coopserv.modules.access import require_module
from coopserv.modules.services import availability, configure_module, get_module
from coopserv.notifications.services import notify
from coopserv.organizations.models import Organization
from coopserv.organizations.services import list_organizations
from coopserv.plugin_host import plugin_host
from coopserv.schemas import Schema, at_least, between, length, normalise_datetime, one_of
from coopserv.service_requests.models import ServiceRequest, StatusChange
from coopserv.service_requests.services import IllegalTransition, RequestRefused, apply_transition, submit_request
from coopserv.service_types import Indicator, PersonalData, ServiceType, Transition
from coopserv.tenancy import ALL_TERRITORIES, TenantMixin, current_territory, territory_scope
from coopserv.territories.models import Territory
from coopserv.timeutil import utcnow
from coopserv.web import (
    form_data,
    is_htmx,
    json_error,
    member_required,
    redirect_after_post,
    render_page,
    roles_required,
    territory_blueprint,
    wants_json,
)

__all__ = [
    "ACTIVE",
    "ALL_TERRITORIES",
    "COMPANY_REFERENT",
    "DEMO_PASSWORD",
    "EMPLOYEE",
    "GOVERNANCE_MEMBER",
    "IllegalTransition",
    "Indicator",
    "Membership",
    "Organization",
    "PersonalData",
    "RequestRefused",
    "SERVICE_OPERATOR",
    "Schema",
    "ServiceRequest",
    "ServiceType",
    "StatusChange",
    "TERRITORY_ADMIN",
    "TenantMixin",
    "Territory",
    "Transition",
    "User",
    "_l",
    "api_require_role",
    "apply_transition",
    "at_least",
    "availability",
    "between",
    "can_operate",
    "configure_module",
    "create_user",
    "csrf",
    "current_territory",
    "current_user",
    "db",
    "employer",
    "employer_of",
    "form_data",
    "get_module",
    "gettext",
    "has_role",
    "hookimpl",
    "hours_between",
    "is_htmx",
    "is_member",
    "is_territory_admin",
    "json_error",
    "lazy_gettext",
    "length",
    "list_organizations",
    "login_required",
    "median",
    "member_required",
    "ngettext",
    "normalise_datetime",
    "notify",
    "one_of",
    "plugin_host",
    "redirect_after_post",
    "referent_organizations",
    "render_page",
    "require_module",
    "roles_required",
    "submit_request",
    "territory_api_blueprint",
    "territory_blueprint",
    "territory_scope",
    "utcnow",
    "wants_json",
]
