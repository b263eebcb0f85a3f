"""Record administrative actions; called by the services that perform them."""
from flask_login import current_user

from coopserv.audit.models import AuditEntry
from coopserv.extensions import db


def record(action, target="", actor=None, **details):
    """Add an audit entry to the current transaction (the caller commits)."""
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user
    entry = AuditEntry(action=action, target=str(target), details=details, actor_id=actor.id if actor else None)
    db.session.add(entry)
    return entry
