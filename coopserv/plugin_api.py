"""The stable facade plugins import from; the core keeps these names working.

A plugin needs nothing else from coopserv: the hook markers, the database and
the tenant-scoped base, the current territory and user helpers, the
declaration types, the services that write requests, and the page helpers.
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
from coopserv.organizations.models import Organization
from coopserv.organizations.services import list_organizations
from coopserv.api.auth import require_role as api_require_role
from coopserv.api.auth import territory_api_blueprint
from coopserv.extensions import JSONDocument, csrf, db
from coopserv.hookspecs import hookimpl
from coopserv.i18n import _l
from coopserv.indicators.sql import hours_between, median
from coopserv.modules.services import availability, configure_module, get_module
from coopserv.notifications.services import notify
from coopserv.plugin_host import plugin_host
from coopserv.schemas import Schema, at_least, between, length, normalise_datetime, one_of
from coopserv.service_requests.models import ServiceRequest, StatusChange
from coopserv.service_requests.services import IllegalTransition, RequestRefused, apply_transition, submit_request
from coopserv.service_types import Indicator, PersonalData, RequestMeasure, ServiceType, Transition
from coopserv.territories.models import Territory
from coopserv.tenancy import (
    ALL_TERRITORIES,
    TenantMixin,
    current_territory,
    territory_scope,
)
from coopserv.timeutil import utcnow
from coopserv.web import (
    form_data,
    redirect_after_post,
    is_htmx,
    json_error,
    member_required,
    render_page,
    roles_required,
    territory_blueprint,
    wants_json,
)

__all__ = [
    "ACTIVE", "GOVERNANCE_MEMBER", "JSONDocument", "RequestMeasure", "IllegalTransition", "Membership", "Organization", "RequestRefused", "User",
    "availability", "configure_module", "create_user", "list_organizations", "referent_organizations",
    "ALL_TERRITORIES", "redirect_after_post", "api_require_role", "territory_api_blueprint", "apply_transition", "csrf", "json_error", "plugin_host", "employer_of", "submit_request", "COMPANY_REFERENT", "EMPLOYEE", "Indicator", "PersonalData", "SERVICE_OPERATOR", "Schema",
    "ServiceRequest", "ServiceType", "StatusChange", "TERRITORY_ADMIN", "TenantMixin", "Territory", "Transition", "_l", "at_least", "between", "can_operate",
    "current_territory", "current_user", "db", "employer", "form_data", "get_module", "gettext", "has_role",
    "hookimpl", "hours_between", "is_htmx", "is_member", "is_territory_admin", "lazy_gettext", "length", "login_required", "median", "member_required", "ngettext", "normalise_datetime", "notify",
    "one_of", "render_page", "roles_required", "territory_blueprint", "territory_scope", "utcnow", "wants_json",
]
