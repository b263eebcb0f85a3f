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
from coopserv.demo_accounts import DEMO_PASSWORD, create_demo_user
from coopserv.extensions import JSONDocument, csrf, db
from coopserv.hookspecs import hookimpl
from coopserv.i18n import _l
from coopserv.indicators.sql import hours_between, median, median_select, rounded_median
from coopserv.migration_helpers import (
    convert_notification_param,
    drop_column_indexes,
    index_columns,
    json_columns_to_jsonb,
    jsonb_columns_to_json,
)
from coopserv.modules.access import require_module
from coopserv.modules.services import availability, configure_module, get_module
from coopserv.notifications.services import notify
from coopserv.organizations.models import Organization
from coopserv.organizations.services import list_organizations
from coopserv.plugin_host import plugin_host
from coopserv.rollups.increments import add_to_cells, store_changed_facts
from coopserv.schemas import Schema, at_least, between, length, normalise_datetime, one_of
from coopserv.security import safe_redirect_target
from coopserv.sqlcompat import upsert
from coopserv.service_requests.models import ServiceRequest, StatusChange
from coopserv.service_requests.services import (
    IllegalTransition,
    RequestRefused,
    apply_transition,
    mail_request_transition,
    submit_request,
)
from coopserv.calendar.events import CalendarEvent
from coopserv.documents.services import document
from coopserv.documents.views import pdf_response
from coopserv.emails.services import claim_once, send_email, send_email_to_users, send_invitation_email
from coopserv.service_types import (
    SERVICE_STOPPED,
    Indicator,
    IndicatorQuery,
    PersonalData,
    Prerequisite,
    RequestMeasure,
    Rollup,
    ServiceType,
    Transition,
)
from coopserv.tenancy import ALL_TERRITORIES, TenantMixin, current_territory, territory_scope
from coopserv.territories.models import Territory, TerritoryTown
from coopserv.territories.services import list_towns as territory_towns
from coopserv.timeutil import (
    LocalDateTime,
    combine,
    format_clock,
    format_day,
    format_payload_day,
    format_when,
    format_when_short,
    local_date_of,
    local_day_bounds,
    local_input,
    local_now,
    local_today,
    timezone_name,
    to_local,
    to_utc,
    utcnow,
)
from coopserv.urls import external_url
from coopserv.urls import target as link_target
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
    "CalendarEvent",
    "DEMO_PASSWORD",
    "EMPLOYEE",
    "GOVERNANCE_MEMBER",
    "IllegalTransition",
    "Indicator",
    "IndicatorQuery",
    "JSONDocument",
    "LocalDateTime",
    "Membership",
    "Organization",
    "PersonalData",
    "Prerequisite",
    "RequestMeasure",
    "RequestRefused",
    "Rollup",
    "SERVICE_OPERATOR",
    "SERVICE_STOPPED",
    "Schema",
    "ServiceRequest",
    "ServiceType",
    "StatusChange",
    "TERRITORY_ADMIN",
    "TenantMixin",
    "Territory",
    "TerritoryTown",
    "Transition",
    "User",
    "_l",
    "add_to_cells",
    "api_require_role",
    "apply_transition",
    "at_least",
    "availability",
    "between",
    "can_operate",
    "claim_once",
    "combine",
    "configure_module",
    "convert_notification_param",
    "create_demo_user",
    "create_user",
    "csrf",
    "current_territory",
    "current_user",
    "db",
    "document",
    "drop_column_indexes",
    "employer",
    "employer_of",
    "external_url",
    "form_data",
    "format_clock",
    "format_day",
    "format_payload_day",
    "format_when",
    "format_when_short",
    "get_module",
    "gettext",
    "has_role",
    "hookimpl",
    "hours_between",
    "index_columns",
    "is_htmx",
    "is_member",
    "is_territory_admin",
    "json_columns_to_jsonb",
    "json_error",
    "jsonb_columns_to_json",
    "lazy_gettext",
    "length",
    "link_target",
    "list_organizations",
    "local_date_of",
    "local_day_bounds",
    "local_input",
    "local_now",
    "local_today",
    "login_required",
    "mail_request_transition",
    "median",
    "median_select",
    "member_required",
    "ngettext",
    "normalise_datetime",
    "notify",
    "one_of",
    "pdf_response",
    "plugin_host",
    "redirect_after_post",
    "referent_organizations",
    "render_page",
    "require_module",
    "roles_required",
    "rounded_median",
    "safe_redirect_target",
    "send_email",
    "send_email_to_users",
    "send_invitation_email",
    "store_changed_facts",
    "submit_request",
    "territory_api_blueprint",
    "territory_blueprint",
    "territory_scope",
    "territory_towns",
    "timezone_name",
    "to_local",
    "to_utc",
    "upsert",
    "utcnow",
    "wants_json",
]
