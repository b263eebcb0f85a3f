"""Who may see what in a network: coordinators see it all; people of member territories see what is shared.

Every check runs on the server, once per request (results cached on the request).
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from coopserv.accounts.models import ACTIVE, TERRITORY_ADMIN, Membership
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, request_cache

from .models import COORDINATOR, Network, NetworkMember, NetworkTerritory


def current_network():
    cache = request_cache()
    return cache.get("network") if cache is not None else None


def require_network(slug):
    """Load the network named in the URL or answer 404."""
    network = db.session.scalar(select(Network).filter_by(slug=slug))
    if network is None:
        abort(404)
    request_cache()["network"] = network
    return network


def _cached(key, compute):
    cache = request_cache()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def is_coordinator(network, user=None, fresh=False):
    """Coordinators of this network, and platform operators, coordinate it (``fresh``: after a change)."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    key = ("coordinator", network.id, user.id)
    cache = request_cache()
    if fresh and cache is not None:
        cache.pop(key, None)
    return _cached(key, lambda: db.session.scalar(
        select(NetworkMember.id).filter_by(network_id=network.id, user_id=user.id, role=COORDINATOR)) is not None)


def member_roles(network, user=None):
    """{territory id: set of roles} of the user's active roles in the network's member territories."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False):
        return {}

    def compute():
        rows = db.session.execute(
            select(Membership.territory_id, Membership.role)
            .join(NetworkTerritory, NetworkTerritory.territory_id == Membership.territory_id)
            .where(NetworkTerritory.network_id == network.id, Membership.user_id == user.id,
                   Membership.status == ACTIVE)
            .execution_options(**{ALL_TERRITORIES: True})).all()
        roles = {}
        for territory_id, role in rows:
            roles.setdefault(territory_id, set()).add(role)
        return roles

    return _cached(("network_roles", network.id, user.id), compute)


def can_read(network, user=None):
    """Coordinators and people of member territories read the shared pages (library, events)."""
    return is_coordinator(network, user) or bool(member_roles(network, user))


def admin_territory_ids(network, user=None):
    """Member territories where the user is a territory admin (they register their people to events)."""
    return {t for t, roles in member_roles(network, user).items() if TERRITORY_ADMIN in roles}


def require_coordinator(network):
    if not current_user.is_authenticated:
        abort(401)
    if not is_coordinator(network):
        abort(403)


def require_reader(network):
    if not current_user.is_authenticated:
        abort(401)
    if not can_read(network):
        abort(403)


def networks_of_territory(territory_id):
    """The networks a territory belongs to, by name."""
    return list(db.session.scalars(
        select(Network).join(NetworkTerritory, NetworkTerritory.network_id == Network.id)
        .where(NetworkTerritory.territory_id == territory_id).order_by(Network.name)))


def coordinated_networks(user=None):
    """Networks the user coordinates (every network for platform operators)."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False):
        return []
    query = select(Network).order_by(Network.name)
    if not user.is_platform_admin:
        query = query.join(NetworkMember, NetworkMember.network_id == Network.id).where(
            NetworkMember.user_id == user.id, NetworkMember.role == COORDINATOR)
    return list(db.session.scalars(query))
