"""Network events (seminars, transfer workshops): agenda, registrations from member territories, attendance, minutes."""
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from coopserv.accounts.models import ACTIVE, Membership
from coopserv.accounts.services import find_user_by_email
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.timeutil import local_today, utcnow

from .models import (
    NetworkEvent,
    NetworkEventAgendaItem,
    NetworkEventRegistration,
    NetworkPartner,
)
from .services import territory_ids


def list_events(network, limit=None, offset=0):
    """The network's events, most recent first."""
    query = (select(NetworkEvent).filter_by(network_id=network.id)
             .order_by(NetworkEvent.starts_on.desc(), NetworkEvent.id.desc()))
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def count_events(network):
    return db.session.scalar(select(func.count(NetworkEvent.id)).filter_by(network_id=network.id))


def upcoming(network, limit=5):
    return list(db.session.scalars(select(NetworkEvent).where(NetworkEvent.network_id == network.id,
                                                              NetworkEvent.starts_on >= local_today())
                                   .order_by(NetworkEvent.starts_on).limit(limit)))


def get_event(network, event_id):
    """One event of the network with its agenda, organisers and registrations (a fixed number of queries)."""
    registrations = selectinload(NetworkEvent.registrations)
    return db.session.scalar(
        select(NetworkEvent).filter_by(network_id=network.id, id=event_id)
        .options(selectinload(NetworkEvent.agenda), selectinload(NetworkEvent.organisers),
                 selectinload(NetworkEvent.host_territory),
                 registrations.selectinload(NetworkEventRegistration.user),
                 registrations.selectinload(NetworkEventRegistration.from_territory)))


def registration_counts(event_ids):
    """{event id: (registered, attended)} in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(NetworkEventRegistration.event_id, func.count(NetworkEventRegistration.id),
               func.sum(case((NetworkEventRegistration.attended.is_(True), 1), else_=0)))
        .where(NetworkEventRegistration.event_id.in_(list(event_ids)))
        .group_by(NetworkEventRegistration.event_id)).all()
    return {event_id: (registered, int(attended or 0)) for event_id, registered, attended in rows}


def _check_host(network, host_territory_id):
    if host_territory_id is not None and host_territory_id not in territory_ids(network):
        raise ValidationError({"host_territory_id": [_("Choose a territory of the network.")]})


def _organisers(network, partner_ids):
    ids = set(partner_ids or [])
    found = list(db.session.scalars(select(NetworkPartner).where(NetworkPartner.network_id == network.id,
                                                                 NetworkPartner.id.in_(ids)))) if ids else []
    if len(found) != len(ids):
        raise ValidationError({"organiser_ids": [_("Choose organizations of the network.")]})
    return found


def save_event(network, data, event=None):
    """Create or edit an event from validated data."""
    _check_host(network, data.get("host_territory_id"))
    organisers = _organisers(network, data.get("organiser_ids"))
    if event is None:
        event = NetworkEvent(network_id=network.id)
        db.session.add(event)
    for name in ("kind", "title", "starts_on", "ends_on", "place", "host_territory_id", "description", "capacity"):
        setattr(event, name, data.get(name))
    event.place = event.place or ""
    event.description = event.description or ""
    event.organisers = organisers
    db.session.commit()
    return event


def add_agenda_item(event, data):
    position = (db.session.scalar(select(func.max(NetworkEventAgendaItem.position)).filter_by(event_id=event.id))
                or 0) + 1
    item = NetworkEventAgendaItem(event_id=event.id, position=position, starts_at=data.get("starts_at"),
                                  title=data["title"], speaker=data.get("speaker", ""))
    db.session.add(item)
    db.session.commit()
    return item


def is_open(event, today=None):
    """Registration stays open until the event's first day."""
    return event.starts_on >= (today or local_today())


def _member_territory_of(network, user, territory_id=None):
    """A member territory where ``user`` is an active member (the one asked for, else the first)."""
    ids = territory_ids(network)
    query = (select(Membership.territory_id).where(Membership.user_id == user.id, Membership.status == ACTIVE,
                                                   Membership.territory_id.in_(ids))
             .order_by(Membership.territory_id).execution_options(**{ALL_TERRITORIES: True}))
    if territory_id is not None:
        query = query.where(Membership.territory_id == territory_id)
    return db.session.scalar(query.limit(1)) if ids else None


def register(network, event, user, registered_by=None, from_territory_id=None, today=None):
    """Register a person of a member territory (idempotent); full or past events refuse."""
    territory_id = _member_territory_of(network, user, from_territory_id)
    if territory_id is None:
        raise ValidationError({"email": [_("This person is not a member of a territory of the network.")]})
    existing = db.session.scalar(select(NetworkEventRegistration).filter_by(event_id=event.id, user_id=user.id))
    if existing is not None:
        return existing
    if not is_open(event, today):
        raise ValidationError({"_schema": [_("Registration is closed: the event has started.")]})
    if event.capacity is not None and db.session.scalar(select(func.count(NetworkEventRegistration.id))
                                                        .filter_by(event_id=event.id)) >= event.capacity:
        raise ValidationError({"_schema": [_("The event is full.")]})
    registration = NetworkEventRegistration(event_id=event.id, user_id=user.id, from_territory_id=territory_id,
                                            registered_by_id=registered_by.id if registered_by else user.id)
    db.session.add(registration)
    db.session.commit()
    return registration


def register_by_email(network, event, email, registered_by, allowed_territory_ids=None, today=None):
    """A coordinator (any member territory) or a territory admin (their territory) registers someone."""
    user = find_user_by_email(email)
    if user is None:
        raise ValidationError({"email": [_("No account uses this address.")]})
    territory_id = None
    if allowed_territory_ids is not None:
        territory_id = next((t for t in sorted(allowed_territory_ids)
                             if _member_territory_of(network, user, t) is not None), None)
        if territory_id is None:
            raise ValidationError({"email": [_("This person is not a member of your territory.")]})
    return register(network, event, user, registered_by, territory_id, today)


def unregister(event, user):
    registration = db.session.scalar(select(NetworkEventRegistration).filter_by(event_id=event.id, user_id=user.id))
    if registration is not None:
        db.session.delete(registration)
        db.session.commit()


def registration_of(event, user):
    if not getattr(user, "is_authenticated", False):
        return None
    # The event page loaded every registration with the event: the person's is among them.
    return next((registration for registration in event.registrations if registration.user_id == user.id), None)


def set_attendance(event, present_ids):
    """Mark who came among the registered people (the others did not)."""
    present = set(present_ids or [])
    registered = {r.user_id for r in event.registrations}
    if present - registered:
        raise ValidationError({"present_ids": [_("Mark only registered people as present.")]})
    for registration in event.registrations:
        registration.attended = registration.user_id in present
    db.session.commit()


def save_minutes(event, minutes):
    """Share the minutes with everyone in the network."""
    event.minutes = minutes
    event.minutes_updated_at = utcnow()
    db.session.commit()
