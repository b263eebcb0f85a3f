"""Enable, configure and stage service modules; decide who may use them."""
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.modules.models import (
    MEMBERS_ONLY,
    MONTHLY_REQUESTS,
    NO_QUOTA,
    PILOT_STAGES,
    PLACES,
    STOPPED,
    ModuleMember,
    ServiceModule,
)
from coopserv.organizations.models import Organization
from coopserv.plugin_host import plugin_host, service_type
from coopserv.tenancy import forget_cached, request_cached
from coopserv.timeutil import utcnow

log = logging.getLogger(__name__)


class UnknownServiceError(LookupError):
    """Raised when no enabled plugin declares the service key."""


def territory_modules():
    """Every module of the current territory, loaded once per request.

    The portal, the plugins' panels and pages all read modules through here
    (``get_module``, ``list_modules``), so a page pays one query for them.
    """
    return request_cached("modules", lambda: list(db.session.scalars(
        select(ServiceModule).order_by(ServiceModule.service_key))))


def pilot_ids(module):
    """Ids of the module's pilot organizations: the pilots of every module are read in one query per request."""
    index = request_cached("pilots", _pilot_index)
    return index.get(module.id, set())


def _pilot_index():
    from coopserv.modules.models import module_pilot_organization as pilots

    index = {}
    rows = db.session.execute(
        select(pilots.c.module_id, pilots.c.organization_id)
        .join(ServiceModule, ServiceModule.id == pilots.c.module_id)).all()
    for module_id, organization_id in rows:
        index.setdefault(module_id, set()).add(organization_id)
    return index


def get_module(service_key):
    """Return the current territory's module for a service key, or None."""
    return next((module for module in territory_modules() if module.service_key == service_key), None)


def list_modules(enabled_only=False):
    """The territory's modules whose plugin is installed, optionally only the enabled ones."""
    known = plugin_host().service_types
    return [module for module in territory_modules()
            if module.service_key in known and (module.enabled or not enabled_only)]


def validate_config(service_key, raw_config):
    """Validate a module configuration with the plugin's schema; raises ValidationError."""
    kind = service_type(service_key)
    if kind is None:
        raise UnknownServiceError(service_key)
    return kind.config_schema().load(raw_config or {})


def enable_module(service_key, stage="prototype", config=None):
    """Enable a service type in the current territory (or re-enable it), with a validated config."""
    validated = validate_config(service_key, config)
    module = get_module(service_key)
    if module is None:
        module = ServiceModule(service_key=service_key, stage=stage, config=validated)
        db.session.add(module)
        forget_cached("modules")
    else:
        module.enabled = True
        module.config = validated
        if module.stage == STOPPED:
            module.stage = stage
    db.session.flush()
    record("module.enabled", service_key, stage=module.stage)
    db.session.commit()
    return module


#: What requesters read when a territory admin stops or disables their service.
ADMIN_STOP_REASON = _l("The territory stopped this service.")


def is_running(module):
    """Whether people may still use the module at all (enabled and not stopped)."""
    return module.enabled and module.stage != STOPPED


def disable_module(module, reason=ADMIN_STOP_REASON, actor=None):
    """Hide a module from the portal; its open requests close as for a stop, its history stays."""
    running = is_running(module)
    module.enabled = False
    record("module.disabled", module.service_key)
    if running:
        _close_service(module, reason, actor)
    db.session.commit()


def stop_module(module, reason, actor=None):
    """Stop a service for good: stage stopped and disabled; open requests close and its plugin releases them."""
    old_stage, running = module.stage, is_running(module)
    module.stage, module.enabled = STOPPED, False
    record("module.stopped", module.service_key, old_stage=old_stage, reason=str(reason))
    if running:
        _close_service(module, reason, actor)
    db.session.commit()
    if old_stage != STOPPED:
        plugin_host().call_each("module_stage_changed", module=module, old_stage=old_stage, new_stage=STOPPED)
    return module


def _close_service(module, reason, actor):
    """Close the module's open requests (requesters notified) and let its plugin release what they held.

    Runs in the caller's transaction. The owning plugin's ``module_stopped``
    runs in a savepoint: if it raises, its own writes are undone and logged,
    and the requests still close, so a plugin's bug never keeps a stopped
    service half open.
    """
    from coopserv.service_requests.services import close_open_requests

    closed = close_open_requests(module, reason, actor)
    host = plugin_host()
    owner = host.service_type_plugin.get(module.service_key)
    for impl in host.pm.hook.module_stopped.get_hookimpls():
        if impl.plugin_name != owner:
            continue
        arguments = {"module": module, "requests": closed, "reason": reason}
        try:
            with db.session.begin_nested():
                impl.function(*(arguments[name] for name in impl.argnames))
        except Exception:  # a plugin's bug must not stop the service from stopping
            log.exception("Plugin %s raised in module_stopped for %s", impl.plugin_name, module.service_key)
    return closed


def configure_module(module, raw_config):
    """Validate ``raw_config`` with the plugin's config schema and store it (ValidationError otherwise)."""
    validated = validate_config(module.service_key, raw_config)
    module.config = validated
    record("module.configured", module.service_key, config=validated)
    db.session.commit()
    return module


def update_settings(module, data, stop_reason=ADMIN_STOP_REASON, actor=None):
    """Change a module's stage, access rule and pilot organizations from validated data.

    Moving a running module to the stopped stage closes its open requests
    (``stop_reason`` tells their requesters why), as ``stop_module`` does.
    """
    pilot_ids = set(data.get("pilot_organization_ids") or [])
    pilots = list(db.session.scalars(select(Organization).where(Organization.id.in_(pilot_ids)))) if pilot_ids else []
    if len(pilots) != len(pilot_ids):
        raise ValidationError({"pilot_organization_ids": [_("Choose organizations of this territory.")]})
    old_stage, running = module.stage, is_running(module)
    module.stage = data["stage"]
    module.access = data.get("access", module.access)
    module.pilot_organizations = pilots
    forget_cached("pilots")
    record("module.settings_changed", module.service_key, old_stage=old_stage, stage=module.stage,
           access=module.access, pilots=sorted(o.name for o in pilots))
    if running and not is_running(module):
        _close_service(module, stop_reason, actor)
    db.session.commit()
    if old_stage != module.stage:
        plugin_host().call_owner("module_stage_changed", module.service_key, module=module, old_stage=old_stage,
                                 new_stage=module.stage)
    return module


def set_member(module, data):
    """Add or update an organization entitled to a members-only module, with its quota."""
    organization = db.session.get(Organization, data["organization_id"])
    if organization is None or organization.territory_id != module.territory_id:
        raise ValidationError({"organization_id": [_("Choose an organization of this territory.")]})
    if data.get("quota_kind", NO_QUOTA) != NO_QUOTA and not data.get("quota_value"):
        raise ValidationError({"quota_value": [_("Give the quota's value.")]})
    member = db.session.scalar(select(ModuleMember).filter_by(module_id=module.id, organization_id=organization.id))
    if member is None:
        member = ModuleMember(module_id=module.id, organization_id=organization.id)
        db.session.add(member)
    member.quota_kind = data.get("quota_kind", NO_QUOTA)
    member.quota_value = data.get("quota_value") if member.quota_kind != NO_QUOTA else None
    record("module.member_set", module.service_key, organization=organization.name,
           quota_kind=member.quota_kind, quota_value=member.quota_value)
    db.session.commit()
    _forget_members(module)
    return member


def remove_member(module, member):
    record("module.member_removed", module.service_key, organization=member.organization.name)
    db.session.delete(member)
    db.session.commit()
    _forget_members(module)


def _forget_members(module):
    """Let the rest of this request read the module's members again (``members_index`` remembers them)."""
    from coopserv.tenancy import request_cache

    cache = request_cache()
    if cache is not None:
        cache.pop(("module_members", module.id), None)


def prerequisites(module):
    """What the module's plugin says must exist before employees can use it, computed now.

    Memoised per request: the portal home, the service page and the submission all ask.
    """
    return prerequisites_of([module])[module.id]


def prerequisites_of(modules, values=None):
    """Every module's prerequisites by module id, the SQL tests of all of them in one statement.

    A plugin gives ``met`` either as a boolean or as a SQL boolean expression (``exists()...``);
    the expressions of every module asked for are evaluated together, so a page listing services
    (the portal home) pays one statement for their prerequisites whatever the number of services.
    ``values`` are the answers to ``prerequisite_tests(modules)`` when the page read them in a
    statement of its own (a project's page, with its figures). Memoised per request.
    """
    from coopserv.tenancy import request_cache

    cache = request_cache()
    cache = {} if cache is None else cache
    pending = {module.id: _declared_prerequisites(module) for module in modules
               if ("prerequisites", module.id) not in cache}
    tests = {_test_name(module_id, position): item.met for module_id, items in pending.items()
             for position, item in enumerate(items) if not isinstance(item.met, bool)}
    if tests and values is None:
        names = list(tests)
        row = db.session.execute(select(*(tests[name].label(f"p{number}") for number, name in enumerate(names)))).one()
        values = dict(zip(names, row))
    for module_id, items in pending.items():
        cache[("prerequisites", module_id)] = [
            item if isinstance(item.met, bool) else replace(item, met=bool(values[_test_name(module_id, position)]))
            for position, item in enumerate(items)]
    return {module.id: cache[("prerequisites", module.id)] for module in modules}


def prerequisite_tests(modules):
    """{name: SQL test} of the modules' prerequisites not read yet in this request, to read beside other figures."""
    from coopserv.tenancy import request_cache

    cache = request_cache() or {}
    return {_test_name(module.id, position): item.met for module in modules
            if ("prerequisites", module.id) not in cache
            for position, item in enumerate(_declared_prerequisites(module)) if not isinstance(item.met, bool)}


def _test_name(module_id, position):
    return f"prerequisite_{module_id}_{position}"


def _declared_prerequisites(module):
    kind = service_type(module.service_key)
    return list(kind.prerequisites(module)) if kind is not None else []


def unmet_prerequisites(module):
    return [item for item in prerequisites(module) if not item.met]


@dataclass(frozen=True)
class Availability:
    """Whether a person may use a module now, and if not, why (shown in the portal)."""

    allowed: bool
    reason: str = ""
    #: Modules a person will never see (disabled, stopped) are hidden rather than explained.
    visible: bool = True
    #: Prerequisites still missing (labels), shown to territory admins so they know what to create.
    missing: tuple = ()


def start_of_month(now=None):
    now = now or utcnow()
    return datetime(now.year, now.month, 1)


def availability(module, organization, members_by_module=None, usage=None, ignore_prerequisites=False):
    """Decide whether an employee of ``organization`` may request ``module``.

    ``members_by_module`` and ``usage`` let list pages pass data loaded once for
    every module, so the check costs no query per module. ``ignore_prerequisites``
    serves pages that help set the service up (a referent declaring needs): they
    open before what the service needs exists.
    """
    from coopserv.service_requests.services import organization_usage

    if not module.enabled or module.stage == STOPPED or service_type(module.service_key) is None:
        return Availability(False, _("This service is closed."), visible=False)
    missing = () if ignore_prerequisites else unmet_prerequisites(module)
    if missing:
        return Availability(False, _("This service is not available yet: it is being set up."),
                            missing=tuple(item.label for item in missing))
    if organization is None:
        return Availability(False, _("Your account is not yet attached to an organization of the territory."))
    if module.stage in PILOT_STAGES and organization.id not in pilot_ids(module):
        return Availability(False, _("This service is being tested with pilot organizations only."))
    if members_by_module is None:
        members_by_module = members_index([module.id])
    members = members_by_module.get(module.id, {})
    # A participating organization's quota holds whatever the access rule: "open" lets
    # everyone in, it does not lift the limits an organization agreed to.
    member = members.get(organization.id)
    if member is None:
        if module.access == MEMBERS_ONLY:
            return Availability(False, _("Your employer does not take part in this service."))
        return Availability(True)
    if member.quota_kind == NO_QUOTA:
        return Availability(True)
    used = (usage or {}).get((module.id, member.quota_kind)) if usage is not None else None
    if used is None:
        used = organization_usage(module.id, organization.id, member.quota_kind)
    if used >= member.quota_value:
        if member.quota_kind == MONTHLY_REQUESTS:
            return Availability(False, _("Your employer's quota for this month is used up (%(used)s of %(quota)s).",
                                         used=used, quota=member.quota_value))
        return Availability(False, _("All the places your employer funds are taken (%(used)s of %(quota)s).",
                                     used=used, quota=member.quota_value))
    return Availability(True)


def members_index(module_ids):
    """Every module membership of the given modules by organization, in one query a request.

    What a page loaded is remembered for the rest of the request, so the portal's
    panels asking about one of the same modules (``availability``) read it again for free.
    """
    from coopserv.tenancy import request_cache

    cache = request_cache()
    cache = {} if cache is None else cache
    missing = [module_id for module_id in module_ids if ("module_members", module_id) not in cache]
    if missing:
        loaded = {module_id: {} for module_id in missing}
        for member in db.session.scalars(select(ModuleMember).where(ModuleMember.module_id.in_(missing))):
            loaded[member.module_id][member.organization_id] = member
        for module_id, members in loaded.items():
            cache[("module_members", module_id)] = members
    return {module_id: cache[("module_members", module_id)] for module_id in module_ids}


def count_by_stage():
    return dict(db.session.execute(select(ServiceModule.stage, func.count()).group_by(ServiceModule.stage)).all())


QUOTA_KINDS_COUNTED = (MONTHLY_REQUESTS, PLACES)


def indicator_values(module, now=None):
    """Last month's and this month's value of each indicator the module's plugin declares (rollups, cache)."""
    from coopserv.indicators.services import series_of

    this_month = start_of_month(now).date()
    last_month = start_of_month(start_of_month(now) - timedelta(days=1)).date()
    indicators = [indicator for indicator in plugin_host().indicators.values()
                  if indicator.service_key == module.service_key]
    all_points = series_of([(indicator, module) for indicator in indicators], last_month, this_month,
                           today=this_month)
    return [(indicator, points[0][1], points[1][1]) for indicator, points in zip(indicators, all_points)]
