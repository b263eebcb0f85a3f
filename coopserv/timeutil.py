"""Time helpers: the database stores naive UTC datetimes on every backend."""
from datetime import datetime, timezone

#: The time ``utcnow`` answers while a test freezes the clock (coopserv.testing's ``frozen_clock``).
_frozen = None


def utcnow():
    """Return the current UTC time without tzinfo, as every column stores it."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None)
