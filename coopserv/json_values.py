"""Dates and times kept in JSON columns (e-mail contexts, notification parameters): tagged, so they come back typed.

JSON has no date type; a date formatted as text when it is stored would be read later in the
writer's language. Tagged values (``{"$date": "2026-12-03"}``, ``{"$datetime": …}``, ``{"$time": …}``)
are turned back into ``date``, ``datetime`` and ``time`` and formatted for whoever reads them.
"""
from datetime import date, datetime, time


def to_json(value):
    """``value`` (nested dicts and lists too) with dates, datetimes and times tagged."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def from_json(value):
    """The inverse of ``to_json``: tagged values back as ``date``, ``datetime`` and ``time``."""
    if isinstance(value, dict):
        try:
            if set(value) == {"$datetime"}:
                return datetime.fromisoformat(value["$datetime"])
            if set(value) == {"$date"}:
                return date.fromisoformat(value["$date"])
            if set(value) == {"$time"}:
                return time.fromisoformat(value["$time"])
        except (TypeError, ValueError):
            return value
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value
