"""Enable, configure and stage service modules; decide who may use them."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from coopserv.audit.services import record
from coopserv.extensions import db
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
from coopserv.timeutil import utcnow


class UnknownServiceError(LookupError):
    """Raised when no enabled plugin declares the service key."""


def get_module(service_key):
    """Return the current territory's module for a service key, or None."""
    return db.session.scalar(select(ServiceModule).filter_by(service_key=service_key))


def list_modules(enabled_only=False):
    query = select(ServiceModule).order_by(ServiceModule.service_key)
    if enabled_only:
        query = query.filter_by(enabled=True)
    modules = list(db.session.scalars(query))
    known = plugin_host().service_types
    return [module for module in modules if module.service_key in known]


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
    else:
        module.enabled = True
        module.config = validated
        if module.stage == STOPPED:
            module.stage = stage
    db.session.flush()
    record("module.enabled", service_key, stage=module.stage)
    db.session.commit()
    return module


def disable_module(module):
    """Hide a module from the portal; its requests and history stay."""
    module.enabled = False
    record("module.disabled", module.service_key)
    db.session.commit()


def configure_module(module, raw_config):
    """Validate ``raw_config`` with the plugin's config schema and store it (ValidationError otherwise)."""
    validated = validate_config(module.service_key, raw_config)
    module.config = validated
    record("module.configured", module.service_key, config=validated)
    db.session.commit()
    return module


def update_settings(module, data):
    """Change a module's stage, access rule and pilot organizations from validated data."""
    pilot_ids = set(data.get("pilot_organization_ids") or [])
    pilots = list(db.session.scalars(select(Organization).where(Organization.id.in_(pilot_ids)))) if pilot_ids else []
    if len(pilots) != len(pilot_ids):
        raise ValidationError({"pilot_organization_ids": [_("Choose organizations of this territory.")]})
    old_stage = module.stage
    module.stage = data["stage"]
    module.access = data.get("access", module.access)
    module.pilot_organizations = pilots
    record("module.settings_changed", module.service_key, old_stage=old_stage, stage=module.stage,
           access=module.access, pilots=sorted(o.name for o in pilots))
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
    return member


def remove_member(module, member):
    record("module.member_removed", module.service_key, organization=member.organization.name)
    db.session.delete(member)
    db.session.commit()


@dataclass(frozen=True)
class Availability:
    """Whether a person may use a module now, and if not, why (shown in the portal)."""

    allowed: bool
    reason: str = ""
    #: Modules a person will never see (disabled, stopped) are hidden rather than explained.
    visible: bool = True


def start_of_month(now=None):
    now = now or utcnow()
    return datetime(now.year, now.month, 1)


def availability(module, organization, members_by_module=None, usage=None):
    """Decide whether an employee of ``organization`` may request ``module``.

    ``members_by_module`` and ``usage`` let list pages pass data loaded once for
    every module, so the check costs no query per module.
    """
    from coopserv.service_requests.services import organization_usage

    if not module.enabled or module.stage == STOPPED or service_type(module.service_key) is None:
        return Availability(False, _("This service is closed."), visible=False)
    if organization is None:
        return Availability(False, _("Your account is not yet attached to an organization of the territory."))
    if module.stage in PILOT_STAGES and organization.id not in {o.id for o in module.pilot_organizations}:
        return Availability(False, _("This service is being tested with pilot organizations only."))
    if module.access != MEMBERS_ONLY:
        return Availability(True)
    members = members_by_module.get(module.id, {}) if members_by_module is not None else {
        m.organization_id: m for m in module.members
    }
    member = members.get(organization.id)
    if member is None:
        return Availability(False, _("Your employer does not take part in this service."))
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
    """Load every module membership of the given modules in one query."""
    if not module_ids:
        return {}
    index = {}
    for member in db.session.scalars(select(ModuleMember).where(ModuleMember.module_id.in_(module_ids))):
        index.setdefault(member.module_id, {})[member.organization_id] = member
    return index


def count_by_stage():
    return dict(db.session.execute(select(ServiceModule.stage, func.count()).group_by(ServiceModule.stage)).all())


QUOTA_KINDS_COUNTED = (MONTHLY_REQUESTS, PLACES)


def indicator_values(module, now=None):
    """This month's and last month's value of each indicator the module's plugin declares."""
    this_month = start_of_month(now)
    last_month = start_of_month(this_month - timedelta(days=1))
    next_month = start_of_month(this_month + timedelta(days=32))
    rows = []
    for indicator in plugin_host().indicators.values():
        if indicator.service_key != module.service_key:
            continue
        rows.append((indicator, indicator.compute(module, last_month, this_month),
                     indicator.compute(module, this_month, next_month)))
    return rows
