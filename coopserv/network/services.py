"""The network's own rows (networks, member territories, coordinators, tokens) and its views of territories.

The only module that reads territories' data across territories for a
network: every such query names the network's member territories
explicitly (``territory_id IN (...)``) and asks for all territories on purpose.
"""
import logging
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.indicators import services as indicators
from coopserv.plugin_host import plugin_host
from coopserv.projects.models import ProjectDecision, ServiceProject
from coopserv.tenancy import ALL_TERRITORIES, request_cache
from coopserv.territories.models import Territory
from coopserv.timeutil import utcnow
from coopserv.tokens.services import digest, new_secret

from .models import (
    COORDINATOR,
    Network,
    NetworkAuditEntry,
    NetworkMember,
    NetworkPartner,
    NetworkTerritory,
    NetworkToken,
    network_event_organiser,
)

log = logging.getLogger(__name__)
NETWORK_TOKEN_PREFIX = "cpn_"
EVERY_TERRITORY = {ALL_TERRITORIES: True}


# -- the network itself --------------------------------------------------------------------
def get_network(slug):
    return db.session.scalar(select(Network).filter_by(slug=slug))


def create_network(data, actor=None):
    """Create a network from validated data; a slug already used is a field error."""
    if get_network(data["slug"]) is not None:
        raise ValidationError({"slug": [_("A network already uses this slug.")]})
    network = Network(slug=data["slug"], name=data["name"], description=data.get("description", ""))
    db.session.add(network)
    db.session.flush()
    _audit(network, "network.created", network.slug, actor)
    db.session.commit()
    return network


def add_territory(network, territory, joined_on=None, actor=None):
    """Make ``territory`` a member of ``network`` (idempotent); noted in both the network's and its own log."""
    row = db.session.scalar(select(NetworkTerritory).filter_by(network_id=network.id, territory_id=territory.id))
    if row is None:
        row = NetworkTerritory(network_id=network.id, territory_id=territory.id)
        if joined_on:
            row.joined_on = joined_on
        db.session.add(row)
        _audit(network, "network.territory_added", territory.slug, actor)
        record_in(territory, "network.joined", network.slug, actor=actor)
        db.session.commit()
        _forget_territories(network)
    return row


def remove_territory(network, territory, actor=None):
    """End a territory's membership; its shared sheets and past registrations stay where they are."""
    deleted = db.session.execute(NetworkTerritory.__table__.delete().where(
        NetworkTerritory.network_id == network.id, NetworkTerritory.territory_id == territory.id)).rowcount
    if deleted:
        _audit(network, "network.territory_removed", territory.slug, actor)
        record_in(territory, "network.left", network.slug, actor=actor)
    db.session.commit()
    _forget_territories(network)


def join_territory(network, data, actor=None):
    """Add the territory named by slug in validated ``data`` (MemberTerritorySchema); an unknown slug is a field error."""
    from coopserv.territories.services import get_territory

    territory = get_territory(data["territory"])
    if territory is None:
        raise ValidationError({"territory": [_("Unknown territory.")]})
    if territory.id in territory_ids(network):
        raise ValidationError({"territory": [_("This territory is already a member of the network.")]})
    add_territory(network, territory, actor=actor)
    return territory


def candidate_territories(network):
    """Territories of the platform that are not members yet (what coordinators may add), by name."""
    members = select(NetworkTerritory.territory_id).filter_by(network_id=network.id)
    return list(db.session.scalars(select(Territory).where(Territory.id.not_in(members)).order_by(Territory.name)))


def add_partner(network, name, role="partner", description="", actor=None):
    """Name an organization acting at network level (idempotent on its name: a second call updates it)."""
    partner = db.session.scalar(select(NetworkPartner).filter_by(network_id=network.id, name=name))
    if partner is None:
        partner = NetworkPartner(network_id=network.id, name=name)
        db.session.add(partner)
    partner.role, partner.description = role, description
    _audit(network, "network.partner_saved", name, actor, role=role)
    db.session.commit()
    return partner


def save_partner(network, data, actor=None):
    """Add or update a partner from validated ``data`` (NetworkPartnerSchema)."""
    return add_partner(network, data["name"], data["role"], data["description"], actor)


def get_partner(network, partner_id):
    return db.session.scalar(select(NetworkPartner).filter_by(id=partner_id, network_id=network.id))


def partner_named(network, name):
    """The network's partner of that name (names are unique in a network), or None."""
    return db.session.scalar(select(NetworkPartner).filter_by(network_id=network.id, name=name))


def remove_partner(network, partner, actor=None):
    """Remove a partner: it stops organising events, and coordinators working for it keep their role."""
    db.session.execute(network_event_organiser.delete().where(network_event_organiser.c.partner_id == partner.id))
    db.session.execute(NetworkMember.__table__.update().where(NetworkMember.partner_id == partner.id)
                       .values(partner_id=None))
    _audit(network, "network.partner_removed", partner.name, actor)
    db.session.delete(partner)
    db.session.commit()


def add_coordinator(network, user, partner=None, actor=None):
    """Give ``user`` the coordinator role in ``network`` (idempotent; a partner given replaces the one known)."""
    member = db.session.scalar(select(NetworkMember).filter_by(network_id=network.id, user_id=user.id,
                                                               role=COORDINATOR))
    if member is None:
        member = NetworkMember(network_id=network.id, user_id=user.id, role=COORDINATOR)
        db.session.add(member)
    member.partner_id = partner.id if partner else member.partner_id
    _audit(network, "network.coordinator_added", user.email, actor, partner=partner.name if partner else None)
    db.session.commit()
    return member


def name_coordinator(network, data, actor=None):
    """Make the account of ``data["email"]`` a coordinator (NetworkCoordinatorSchema); unknown ones are field errors."""
    from coopserv.accounts.services import find_user_by_email

    user = find_user_by_email(data["email"])
    if user is None:
        raise ValidationError({"email": [_("No account uses this e-mail address: the person signs up first.")]})
    partner = None
    if data.get("partner_id") is not None:
        partner = get_partner(network, data["partner_id"])
        if partner is None:
            raise ValidationError({"partner_id": [_("Choose one of the network's partners.")]})
    return add_coordinator(network, user, partner, actor)


def get_coordinator(network, member_id):
    return db.session.scalar(select(NetworkMember).filter_by(id=member_id, network_id=network.id, role=COORDINATOR))


def coordinator_role_of(network, user):
    """The user's coordinator role in the network (a NetworkMember), or None."""
    return db.session.scalar(select(NetworkMember).filter_by(network_id=network.id, user_id=user.id,
                                                             role=COORDINATOR))


def remove_coordinator(network, member, actor=None):
    """Withdraw a coordinator role; the last coordinator stays, so the network is never left without one."""
    if len(coordinators(network)) <= 1:
        raise ValidationError({"_schema": [_("A network keeps at least one coordinator: name another one first.")]})
    _audit(network, "network.coordinator_removed", member.user.email, actor)
    db.session.delete(member)
    db.session.commit()


def audit_entries(network, limit=20):
    """The latest changes to the network's administration, newest first."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(NetworkAuditEntry).filter_by(network_id=network.id).options(selectinload(NetworkAuditEntry.actor))
        .order_by(NetworkAuditEntry.at.desc(), NetworkAuditEntry.id.desc()).limit(limit)))


def _audit(network, action, target, actor=None, **details):
    """Add an entry to the network's log in the current transaction (the caller commits)."""
    from flask_login import current_user

    if actor is None and getattr(current_user, "is_authenticated", False):
        actor = current_user
    db.session.add(NetworkAuditEntry(network_id=network.id, action=action, target=str(target)[:200],
                                     details=details, actor_id=actor.id if actor else None))


def coordinators(network):
    from sqlalchemy.orm import joinedload

    # Each coordinator's person and partner joined in (one statement for the network's overview).
    return list(db.session.scalars(select(NetworkMember).filter_by(network_id=network.id, role=COORDINATOR)
                                   .options(joinedload(NetworkMember.user), joinedload(NetworkMember.partner))
                                   .order_by(NetworkMember.id)))


def territory_ids(network):
    """Ids of the network's member territories (the one list every cross-territory read is limited to)."""
    return sorted(territory.id for territory in member_territories(network))


def member_territories(network):
    """The network's member territories by name, read once per request (a network page asks several times)."""
    cache = request_cache()
    key = ("network_territories", network.id)
    if cache is not None and key in cache:
        return cache[key]
    found = list(db.session.scalars(
        select(Territory).join(NetworkTerritory, NetworkTerritory.territory_id == Territory.id)
        .where(NetworkTerritory.network_id == network.id).order_by(Territory.name)))
    if cache is not None:
        cache[key] = found
    return found


def _forget_territories(network):
    cache = request_cache()
    if cache is not None:
        cache.pop(("network_territories", network.id), None)


# -- side by side --------------------------------------------------------------------------
def projects_by_stage(network):
    """{territory id: {stage: count}} of the member territories' service projects, in one query."""
    ids = territory_ids(network)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ServiceProject.territory_id, ServiceProject.stage, func.count(ServiceProject.id))
        .where(ServiceProject.territory_id.in_(ids))
        .group_by(ServiceProject.territory_id, ServiceProject.stage)
        .execution_options(**EVERY_TERRITORY)).all()
    counts = {}
    for territory_id, stage, count in rows:
        counts.setdefault(territory_id, {})[stage] = count
    return counts


def projects(network, stage=None, territory_id=None, limit=50, offset=0):
    """(rows, total): member territories' projects, newest first, with their territory and last decision."""
    ids = territory_ids(network)
    if territory_id is not None:
        ids = [i for i in ids if i == territory_id]
    if not ids:
        return [], 0
    query = select(ServiceProject).where(ServiceProject.territory_id.in_(ids))
    if stage:
        query = query.where(ServiceProject.stage == stage)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()).execution_options(
        **EVERY_TERRITORY))
    found = db.session.scalars(query.order_by(ServiceProject.id.desc()).limit(limit).offset(offset)
                               .execution_options(**EVERY_TERRITORY)).all()
    return _with_context(found), total


def _with_context(found):
    """Attach each project's territory and latest decision (two queries for the whole page)."""
    territories = {t.id: t for t in db.session.scalars(
        select(Territory).where(Territory.id.in_({p.territory_id for p in found})))} if found else {}
    latest = {}
    if found:
        for decision in db.session.scalars(
                select(ProjectDecision).where(ProjectDecision.project_id.in_([p.id for p in found]))
                .order_by(ProjectDecision.id).execution_options(**EVERY_TERRITORY)):
            latest[decision.project_id] = decision
    return [{"project": p, "territory": territories[p.territory_id], "decision": latest.get(p.id)} for p in found]


def decisions(network, limit=50, offset=0):
    """(rows, total): the committees' decisions in member territories, newest first."""
    ids = territory_ids(network)
    if not ids:
        return [], 0
    query = select(ProjectDecision).where(ProjectDecision.territory_id.in_(ids))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()).execution_options(
        **EVERY_TERRITORY))
    found = db.session.scalars(query.order_by(ProjectDecision.decided_on.desc(), ProjectDecision.id.desc())
                               .limit(limit).offset(offset).execution_options(**EVERY_TERRITORY)).all()
    projects_ = {p.id: p for p in db.session.scalars(
        select(ServiceProject).where(ServiceProject.id.in_({d.project_id for d in found}))
        .execution_options(**EVERY_TERRITORY))} if found else {}
    territories = {t.id: t for t in db.session.scalars(
        select(Territory).where(Territory.id.in_({d.territory_id for d in found})))} if found else {}
    return [{"decision": d, "project": projects_.get(d.project_id), "territory": territories[d.territory_id]}
            for d in found], total


def network_indicators(network):
    """The indicators worth comparing in the network: the core's, and those of services a member runs."""
    from coopserv.modules.models import ServiceModule

    ids = territory_ids(network)
    keys = set(db.session.scalars(select(ServiceModule.service_key).distinct()
                                  .where(ServiceModule.territory_id.in_(ids))
                                  .execution_options(**EVERY_TERRITORY))) if ids else set()
    return [i for i in plugin_host().indicators.values() if i.service_key is None or i.service_key in keys]


def compare(network, indicator, first, last):
    """One indicator in each member territory that shares it for comparison (the per-1,000-employee view).

    Returns rows (territory, value, per 1,000 employees); a plugin's failing
    indicator gives no rows rather than breaking the page. The page writes
    nothing: on a failure its transaction is rolled back (a failed statement
    ends it on PostgreSQL) rather than kept by a savepoint, two statements less.
    """
    try:
        return indicators.comparison(indicator, first, last, territory_ids=territory_ids(network))
    except Exception:  # a plugin's bug must not take the network's page down
        db.session.rollback()
        log.exception("Indicator %s failed in network %s", indicator.key, network.slug)
        return []


def side_by_side(network, month):
    """[(indicator, {territory id: (value, per 1,000 employees)})] of one month, for every indicator shared.

    Values come from the monthly snapshots (``coopserv indicators snapshot``)
    read in one query; only a month without snapshot (the current one) is
    computed live. A handful of queries whatever the territories' data.
    """
    from coopserv.indicators.models import IndicatorSharing, IndicatorSnapshot
    from coopserv.modules.models import ServiceModule
    from coopserv.organizations.models import Organization

    ids = territory_ids(network)
    if not ids:
        return []
    month = indicators.month_start(month)
    shared = set(db.session.execute(
        select(IndicatorSharing.territory_id, IndicatorSharing.indicator_key)
        .where(IndicatorSharing.territory_id.in_(ids), IndicatorSharing.compare.is_(True))
        .execution_options(**EVERY_TERRITORY)).all())
    stored = {(t, key): value for t, key, value in db.session.execute(
        select(IndicatorSnapshot.territory_id, IndicatorSnapshot.indicator_key, IndicatorSnapshot.value)
        .where(IndicatorSnapshot.territory_id.in_(ids), IndicatorSnapshot.month == month)
        .execution_options(**EVERY_TERRITORY))}
    employees = dict(db.session.execute(
        select(Organization.territory_id, func.coalesce(func.sum(Organization.employee_count), 0))
        .where(Organization.territory_id.in_(ids)).group_by(Organization.territory_id)
        .execution_options(**EVERY_TERRITORY)).all())
    modules = {(m.territory_id, m.service_key): m for m in db.session.scalars(
        select(ServiceModule).where(ServiceModule.territory_id.in_(ids)).execution_options(**EVERY_TERRITORY))}
    territories = {t.id: t for t in member_territories(network)}
    wanted = []  # (indicator, territory id, module): what the page shows
    for indicator in plugin_host().indicators.values():
        for territory_id in ids:
            module = modules.get((territory_id, indicator.service_key)) if indicator.service_key else None
            if (territory_id, indicator.key) in shared and not (indicator.service_key and module is None):
                wanted.append((indicator, territory_id, module))
    live = _live_values([(indicator, territories[territory_id], module) for indicator, territory_id, module in wanted
                         if (territory_id, indicator.key) not in stored], month)
    matrix = {}
    for indicator, territory_id, module in wanted:
        value = stored.get((territory_id, indicator.key), live.get((indicator.key, territory_id)))
        staff = employees.get(territory_id) or 0
        per = (round(value * 1000 / staff, 2) if indicator.per_employees and staff and value is not None
               else None)
        matrix.setdefault(indicator.key, (indicator, {}))[1][territory_id] = (value, per)
    return list(matrix.values())


def history(network, indicator, months=12):
    """(months, {territory id: {month: value}}) from the snapshots of the last closed months, in two queries.

    Only territories that share the indicator for comparison are included.
    """
    from coopserv.indicators.models import IndicatorSharing, IndicatorSnapshot

    ids = list(db.session.scalars(
        select(IndicatorSharing.territory_id).where(IndicatorSharing.territory_id.in_(territory_ids(network)),
                                                    IndicatorSharing.indicator_key == indicator.key,
                                                    IndicatorSharing.compare.is_(True))
        .execution_options(**EVERY_TERRITORY)))
    last = indicators.month_start(indicators.current_month() - timedelta(days=1))
    first = indicators.month_start(last - timedelta(days=31 * (months - 1)))
    span = indicators.months_between(first, last)
    values = {}
    if ids:
        for territory_id, month, value in db.session.execute(
                select(IndicatorSnapshot.territory_id, IndicatorSnapshot.month, IndicatorSnapshot.value)
                .where(IndicatorSnapshot.territory_id.in_(ids), IndicatorSnapshot.indicator_key == indicator.key,
                       IndicatorSnapshot.month.in_(span)).execution_options(**EVERY_TERRITORY)):
            values.setdefault(territory_id, {})[month] = value
    return span, values


def _live_values(items, month):
    """{(indicator key, territory id): value} of one month for (indicator, territory, module) items, read together.

    One statement for the rollups and the core's indicators of every territory (``coopserv.indicators.batch``);
    if a plugin's indicator fails, each value is computed on its own so that only that one is missing.
    """
    from coopserv.indicators.batch import Asked, measure_many

    start = datetime.combine(month, time())
    end = datetime.combine(indicators.next_month(month), time())
    asked = [Asked(indicator, module, start, end, territory) for indicator, territory, module in items]
    try:
        with db.session.begin_nested():
            values, _also = measure_many(asked)
    except Exception:  # a plugin's bug must not take the network's page down
        values = [_live(territory, indicator, module, month) for indicator, territory, module in items]
    return {(item.indicator.key, item.territory.id): value for item, value in zip(asked, values)}


def _live(territory, indicator, module, month):
    """Compute one month of an indicator in its territory; a failing plugin gives no value."""
    from coopserv.tenancy import territory_scope

    try:
        with territory_scope(territory), db.session.begin_nested():
            return indicators.compute(indicator, module, month, indicators.next_month(month))
    except Exception:  # a plugin's bug must not take the network's page down
        log.exception("Indicator %s failed in %s", indicator.key, territory.slug)
        return None


# -- API tokens of coordinators -----------------------------------------------------------------
def create_token(network, user, name, read_only=False):
    """A token acting as ``user`` on the network's endpoints; return (row, secret shown once)."""
    secret = new_secret(NETWORK_TOKEN_PREFIX)
    token = NetworkToken(network_id=network.id, user_id=user.id, name=name, token_hash=digest(secret),
                         prefix=secret[:10], read_only=read_only)
    db.session.add(token)
    db.session.commit()
    return token, secret


def user_tokens(network, user):
    return list(db.session.scalars(select(NetworkToken).filter_by(network_id=network.id, user_id=user.id)
                                   .order_by(NetworkToken.id.desc())))


def revoke_token(token):
    token.revoked_at = utcnow()
    db.session.commit()


def authenticate_token(secret):
    """Return the active network token matching ``secret``, or None; note its use."""
    if not secret or not secret.startswith(NETWORK_TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(NetworkToken).filter_by(token_hash=digest(secret)))
    if token is None or not token.active:
        return None
    from coopserv.tokens.services import LAST_USE_PRECISION

    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        token.last_used_at = now  # at most one write a minute, as for personal tokens
        db.session.commit()
    return token


def record_in(territory, action, target, actor=None, **details):
    """Write an audit entry in a territory's log (network actions that change a territory's data)."""
    from coopserv.tenancy import territory_scope

    with territory_scope(territory):
        entry = record(action, target, actor=actor, **details)
    entry.territory_id = territory.id  # flushed later, outside the scope that would have set it
    return entry
