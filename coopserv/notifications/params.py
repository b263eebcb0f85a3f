"""A notification's parameters as data: dates and instants kept typed, said when the notification is read.

A notification is written in one request (or a job) and read later by someone else, in their own
language. So a date is not formatted when the notification is made: the JSON column keeps it tagged
(coopserv.json_values: ``{"$date": "2026-12-03"}``; an instant as naive UTC, like every column,
``{"$datetime": "2026-12-03T17:30:00"}``) and the reader sees "jeudi 3 décembre 2026" or
"3 Dec 2026, 6:30 PM" on the territory's clock.
"""
from datetime import date, datetime, time, timezone

from coopserv.json_values import from_json, to_json
from coopserv.timeutil import format_clock, format_day, format_when_short


def stored(params):
    """Every parameter of a new notification as the JSON column keeps it (aware instants as naive UTC)."""
    def naive_utc(value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    return {key: to_json(naive_utc(value)) for key, value in (params or {}).items()}


def shown_value(value, territory=None, locale=None):
    """A stored parameter as the reader says it: dates and instants in their language and the territory's zone."""
    value = from_json(value)
    if isinstance(value, datetime):
        return format_when_short(value, territory, locale)
    if isinstance(value, date):
        return format_day(value, territory, locale)
    if isinstance(value, time):
        return format_clock(value, territory, locale)
    return value
