"""Who may do what in the current territory; every check runs on the server."""
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coopserv.accounts.models import (
    ACTIVE,
    COMPANY_REFERENT,
    EMPLOYEE,
    SERVICE_OPERATOR,
    TERRITORY_ADMIN,
    Membership,
)
from coopserv.extensions import db
from coopserv.tenancy import current_territory, request_cached


def all_memberships():
    """The signed-in user's memberships here, pending ones included, with their organizations: one query a request."""
    if not current_user.is_authenticated or current_territory() is None:
        return []
    user_id = current_user.id
    return request_cached(("memberships", user_id), lambda: list(db.session.scalars(
        select(Membership).filter_by(user_id=user_id).options(joinedload(Membership.organization))
        .order_by(Membership.id))))


def active_memberships():
    """Return the signed-in user's active memberships in the current territory (no query of its own).

    While a territory admin previews the portal as an employee, this is the
    previewed employee membership instead (see ``coopserv.accounts.preview``),
    decided once per request.
    """
    from coopserv.accounts.preview import preview_memberships

    if not current_user.is_authenticated or current_territory() is None:
        return []
    return request_cached(("active_memberships", current_user.id), lambda: preview_memberships(
        [membership for membership in all_memberships() if membership.status == ACTIVE]))


def is_previewing():
    """Tell whether the signed-in admin is previewing the portal as an employee (read-only)."""
    memberships = active_memberships()
    return len(memberships) == 1 and memberships[0].id is None


def has_role(role, module_id=None):
    """Tell whether the signed-in user holds ``role`` here; platform admins administer everywhere."""
    if not current_user.is_authenticated:
        return False
    if current_user.is_platform_admin and role == TERRITORY_ADMIN and not is_previewing():
        return True
    for membership in active_memberships():
        if membership.role != role:
            continue
        if module_id is None or membership.module_id == module_id:
            return True
    return False


def is_territory_admin():
    """Tell whether the signed-in user administers the current territory (platform admins do)."""
    return has_role(TERRITORY_ADMIN)


def is_member():
    """Tell whether the signed-in user belongs to the current territory at all."""
    return bool(active_memberships()) or (current_user.is_authenticated and current_user.is_platform_admin)


def can_operate(module):
    """Operators of this module and territory admins work its queue (operators only, for a confidential service)."""
    if has_role(SERVICE_OPERATOR, module.id):
        return True
    return is_territory_admin() and not is_confidential(module)


def confidential_service_keys():
    """Keys of the services whose requests are kept from territory admins (ServiceType.confidential)."""
    from coopserv.plugin_host import plugin_host

    return [key for key, kind in plugin_host().service_types.items() if kind.confidential]


def is_confidential(module):
    """Tell whether the module's service keeps its requests from territory admins (ServiceType.confidential)."""
    from coopserv.plugin_host import service_type

    kind = service_type(module.service_key)
    return bool(kind is not None and kind.confidential)


def employer():
    """Return the organization the user requests services for (employee or referent), or None."""
    for membership in active_memberships():
        if membership.role in (EMPLOYEE, COMPANY_REFERENT) and membership.organization_id:
            return membership.organization
    return None


def referent_organizations():
    """Organizations the user is company referent of."""
    return [m.organization for m in active_memberships() if m.role == COMPANY_REFERENT and m.organization]


def operated_module_ids():
    return {m.module_id for m in active_memberships() if m.role == SERVICE_OPERATOR and m.module_id}


def employer_of(user):
    """The organization ``user`` works for in the current territory (for CLI and demo code)."""
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.user_id == user.id, Membership.status == ACTIVE,
               Membership.role.in_((EMPLOYEE, COMPANY_REFERENT)), Membership.organization_id.is_not(None))
        .order_by(Membership.id)
        .limit(1)
    )
    return membership.organization if membership else None


def home_territory_slug(user):
    """The territory whose portal a person lands on after signing in: their most recent active membership."""
    from coopserv.tenancy import ALL_TERRITORIES
    from coopserv.territories.models import Territory

    return db.session.scalar(
        select(Territory.slug)
        .join(Membership, Membership.territory_id == Territory.id)
        .where(Membership.user_id == user.id, Membership.status == ACTIVE)
        .order_by(Membership.id.desc())
        .limit(1)
        .execution_options(**{ALL_TERRITORIES: True})
    )
