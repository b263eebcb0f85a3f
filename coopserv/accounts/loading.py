"""Load the signed-in person with what every page of a territory needs about them, in one statement.

Flask-Login asks for the user on the first use of ``current_user``, after the
territory of the URL is loaded. Then the same SELECT brings the person, their
memberships in that territory with the organizations, and their unread
notifications there, and primes the request cache that ``access`` and
``notifications`` read: a signed-in page pays one statement for all of it.
"""
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from coopserv.accounts.models import Membership, User
from coopserv.extensions import db
from coopserv.security import user_from_session_id
from coopserv.tenancy import current_territory, prime_cached


def load_user(session_id):
    """Flask-Login's user loader: None when the session predates the user's last sign-out or password change."""
    return user_from_session_id(session_id, _load_with_memberships)


def _load_with_memberships(user_id):
    territory = current_territory()
    if territory is None:
        return db.session.get(User, int(user_id))
    from coopserv.notifications.models import Notification

    unread = (select(func.count(Notification.id))
              .where(Notification.user_id == User.id, Notification.territory_id == territory.id,
                     Notification.read_at.is_(None)).correlate(User).scalar_subquery())
    rows = db.session.execute(
        select(User, Membership, unread)
        .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.territory_id == territory.id))
        .options(joinedload(Membership.organization))
        .where(User.id == int(user_id)).order_by(Membership.id)
    ).all()
    if not rows:
        return None
    user = rows[0][0]
    prime_cached(("memberships", user.id), [membership for _user, membership, _unread in rows if membership])
    prime_cached(("unread", user.id), rows[0][2] or 0)
    return user
