"""Private feeds (one secret link per person) and public feeds (a territory's public events).

A private feed gathers, for every territory where the person is an active
member, the core's entries (committee meetings, events they registered for)
and what plugins add through the ``calendar_events`` hook. Entries older than
``HISTORY`` are left out so a feed stays small whatever the years of data.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from coopserv.calendar.ics import calendar_bytes
from coopserv.calendar.models import CalendarFeedToken
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import utcnow

SECRET_PREFIX = "cal_"
HISTORY = timedelta(days=90)


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_token(user_id):
    return db.session.scalar(select(CalendarFeedToken).filter_by(user_id=user_id))


def renew_feed_token(user):
    """Make a new secret for the person's feed (the old link stops working); return it (shown once)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = feed_token(user.id)
    if row is None:
        row = CalendarFeedToken(user_id=user.id)
        db.session.add(row)
    row.token_hash, row.prefix, row.created_at, row.last_used_at = _digest(secret), secret[:10], utcnow(), None
    db.session.commit()
    return secret


def revoke_feed_token(user):
    row = feed_token(user.id)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def user_for_secret(secret):
    """The person a feed secret belongs to, or None (unknown or revoked)."""
    from coopserv.accounts.models import User

    if not secret or not secret.startswith(SECRET_PREFIX):
        return None
    row = db.session.scalar(select(CalendarFeedToken).filter_by(token_hash=_digest(secret)))
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        row.last_used_at = now  # at most one write an hour: calendar programs poll often
        db.session.commit()
    return db.session.get(User, row.user_id)


def _member_territories(user):
    from coopserv.accounts.models import ACTIVE, Membership
    from coopserv.territories.models import Territory

    ids = select(Membership.territory_id).filter_by(user_id=user.id, status=ACTIVE)
    return db.session.scalars(select(Territory).where(Territory.id.in_(ids)).order_by(Territory.id)
                              .execution_options(**{ALL_TERRITORIES: True})).all()


def territory_events(territory, user, since):
    """The entries of one territory for ``user`` (None: the public feed), core first, then plugins."""
    from coopserv.governance.feeds import governance_entries

    host = current_app.extensions["coopserv"]
    with territory_scope(territory):
        entries = governance_entries(territory, user, since)
        entries += host.collect("calendar_events", territory=territory, user=user, since=since)
    return entries


def private_feed(user):
    """The person's feed across their territories, as iCalendar bytes."""
    since = utcnow() - HISTORY
    entries = []
    territories = _member_territories(user)
    for territory in territories:
        entries += territory_events(territory, user, since)
    zone_of = territories[0] if territories else None
    return calendar_bytes(entries, "coopserv — " + user.name, territory=zone_of)


def public_feed(territory):
    """A territory's public events, as iCalendar bytes."""
    return calendar_bytes(territory_events(territory, None, utcnow() - HISTORY), territory.name, territory=territory)
