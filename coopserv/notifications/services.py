"""Notify people in the app; messages are stored untranslated and shown in the reader's language."""
from sqlalchemy import func, select, update

from coopserv.extensions import db
from coopserv.notifications.models import Notification
from coopserv.timeutil import utcnow


def notify(user_id, message, link_to=None, link="", **params):
    """Queue a notification in the current transaction (``message`` marked with _l).

    ``link_to`` says where it leads, made with ``coopserv.urls.target(endpoint, **args)``;
    the URL is built when the notification is shown (``link``, a ready URL, is the old way).
    Dates and datetimes in ``params`` are kept as such and said in the reader's language when shown.
    """
    from coopserv.notifications.params import stored

    if user_id is None:
        return None
    notification = Notification(user_id=user_id, message=message, params=stored(params), link=link,
                                link_target=link_to)
    db.session.add(notification)
    return notification


def unread_count(user_id):
    return db.session.scalar(
        select(func.count(Notification.id)).filter_by(user_id=user_id, read_at=None)
    )


def link_of(notification, territory=None):
    """The URL a notification leads to, built now; "" when it leads nowhere."""
    from coopserv.urls import target_url

    return target_url(notification.link_target, territory=territory) or notification.link or ""


def recent(user_id, limit=50):
    return list(
        db.session.scalars(
            select(Notification).filter_by(user_id=user_id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def mark_all_read(user_id, territory_id):
    """Mark the user's notifications of this territory as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.territory_id == territory_id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
