"""Time helpers: the database stores naive UTC datetimes on every backend."""
from datetime import datetime, timezone


def utcnow():
    """Return the current UTC time without tzinfo, as every column stores it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
