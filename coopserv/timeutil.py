"""Time: stored as naive UTC everywhere, shown and typed in the territory's time zone.

This module is the one place that converts between the two. Every template
(core and plugins) formats times through the filters registered from here
(``when``, ``when_short``, ``day``, ``clock``, ``local_input``), and every
schema reads typed times with ``LocalDateTime``, so a French committee sees
"mardi 3 décembre 2026, 18 h 30" for a meeting stored as 17:30 UTC.

Wall-clock times that do not exist or exist twice (the last Sundays of March
and October in Europe) are read with ``fold=0``: a time in the spring gap
moves forward by the gap (02:30 becomes 03:30), an autumn time that happens
twice means its first occurrence (summer time).
"""
import os
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime

DEFAULT_TIMEZONE = "Europe/Paris"

#: Babel patterns per language: the whole moment, a short one, a day, a time of day. No seconds, no zone.
PATTERNS = {
    "fr": {"when": "EEEE d MMMM y, H 'h' mm", "when_short": "d MMM y, H 'h' mm", "day": "EEEE d MMMM y",
           "clock": "H 'h' mm"},
    "en": {"when": "EEEE d MMMM y, h:mm a", "when_short": "d MMM y, h:mm a", "day": "EEEE d MMMM y",
           "clock": "h:mm a"},
}

#: The time ``utcnow`` answers while a test freezes the clock (coopserv.testing's ``frozen_clock``).
_frozen = None

#: Seconds added to the real clock, to run tests at another hour (23:05 UTC: the territory's date is already
#: tomorrow's); an environment variable, so servers the tests start share it.
CLOCK_SHIFT_VARIABLE = "COOPSERV_CLOCK_SHIFT_SECONDS"
_shift = timedelta(seconds=float(os.environ.get(CLOCK_SHIFT_VARIABLE) or 0))


def utcnow():
    """Return the current UTC time without tzinfo, as every column stores it."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None) + _shift


# -- zones --------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _zone(name):
    return ZoneInfo(name)


def is_valid_timezone(name):
    """Tell whether ``name`` is an IANA zone this machine knows ("Europe/Paris")."""
    if not name or not isinstance(name, str):
        return False
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def timezone_choices():
    """Every IANA zone name, sorted, for a select."""
    return sorted(name for name in available_timezones() if "/" in name and not name.startswith("Etc/"))


def zone(territory=None):
    """The zone of ``territory``, else of the territory in scope, else Europe/Paris."""
    if territory is None:
        from coopserv.tenancy import current_territory

        territory = current_territory()
    name = getattr(territory, "timezone", None) or DEFAULT_TIMEZONE
    return _zone(name) if is_valid_timezone(name) else _zone(DEFAULT_TIMEZONE)


def timezone_name(territory=None):
    """The IANA name of the territory's zone ("Europe/Paris"), for feeds that carry it (GTFS, GBFS, iCalendar)."""
    return zone(territory).key


# -- conversions ----------------------------------------------------------------------------
def to_local(moment, territory=None):
    """A stored (naive UTC) or aware datetime, as an aware datetime in the territory's zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone(territory))


def to_utc(moment, territory=None):
    """A typed datetime (naive: the territory's wall clock; aware: as given) as naive UTC for storage."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(territory), fold=0)
        # A time in the spring gap: read it with the offset in force before the change (it moves forward).
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def combine(day, time_of_day, territory=None):
    """The stored (naive UTC) instant of ``time_of_day`` on ``day`` in the territory's zone."""
    return to_utc(datetime.combine(day, time_of_day), territory)


def local_now(territory=None):
    """The current moment on the territory's clock (an aware datetime)."""
    return to_local(utcnow(), territory)


def local_today(territory=None):
    """Today's date in the territory (not UTC's: between midnight and 2 am they differ in Paris)."""
    return local_now(territory).date()


def local_day_bounds(day, territory=None):
    """The stored instants [start, end) of a local calendar day: 23 or 25 hours long on DST Sundays."""
    return combine(day, time.min, territory), combine(day + timedelta(days=1), time.min, territory)


def local_date_of(moment, territory=None):
    """The territory's calendar date of a stored instant."""
    return to_local(moment, territory).date() if moment is not None else None


# -- formatting -------------------------------------------------------------------------------
def _language(locale=None):
    if locale is None:
        try:
            from flask_babel import get_locale

            locale = get_locale()
        except Exception:
            locale = None
    language = str(locale or "fr").split("_")[0]
    return language if language in PATTERNS else "en"


def _format(moment, kind, territory=None, locale=None):
    if moment is None:
        return ""
    language = _language(locale)
    if isinstance(moment, datetime):
        moment = to_local(moment, territory)
    elif isinstance(moment, date):
        moment = datetime.combine(moment, time(12, 0))
    elif isinstance(moment, time):
        moment = datetime.combine(date(2000, 1, 3), moment)
    return babel_format_datetime(moment, PATTERNS[language][kind], locale=_babel_locale(language))


@lru_cache(maxsize=None)
def _babel_locale(language):
    """Babel's locale object, parsed once: tables format a date per row."""
    return Locale.parse(language)


def format_when(moment, territory=None, locale=None):
    """ "mardi 3 décembre 2026, 18 h 30" / "Thursday 3 December 2026, 6:30 PM", in the territory's zone."""
    return _format(moment, "when", territory, locale)


def format_when_short(moment, territory=None, locale=None):
    """ "3 déc. 2026, 18 h 30": for tables and lists."""
    return _format(moment, "when_short", territory, locale)


def format_day(moment, territory=None, locale=None):
    """ "mardi 3 décembre 2026": a date, or the local date of a stored instant."""
    return _format(moment, "day", territory, locale)


def format_payload_day(text, territory=None, locale=None):
    """A date kept as ISO text in a request's payload ("2026-12-03"), as a reader says it; other text as it is."""
    if not text:
        return ""
    try:
        return format_day(date.fromisoformat(str(text)[:10]), territory, locale)
    except ValueError:
        return str(text)


def format_clock(moment, territory=None, locale=None):
    """ "18 h 30": the local time of a stored instant, or a wall-clock ``time`` as it is."""
    return _format(moment, "clock", territory, locale)


def local_input(moment, territory=None):
    """The value of an ``<input type="datetime-local">`` showing a stored instant ("2026-12-03T18:30")."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        return moment
    return to_local(moment, territory).strftime("%Y-%m-%dT%H:%M")


def format_datetime_compat(moment, format="medium", rebase=True):
    """What templates' ``format_datetime(x, "full")`` now gives: the local moment without seconds or zone."""
    if format in ("full", "long"):
        return format_when(moment)
    return format_when_short(moment)


def format_time_compat(moment, format=None, rebase=True):
    return format_clock(moment)


def register_template_helpers(app):
    """Give every template (core and plugins) the same filters and helpers."""
    helpers = {"when": format_when, "when_short": format_when_short, "day": format_day, "clock": format_clock,
               "local_input": local_input}
    app.jinja_env.filters.update(helpers)
    app.jinja_env.globals.update({f"format_{name}": helper for name, helper in helpers.items()
                                  if name != "local_input"})
    app.jinja_env.globals.update(local_input=local_input, format_datetime=format_datetime_compat,
                                 format_time=format_time_compat)


def babel_timezone():
    """Flask-Babel's time zone selector: the territory's zone, for code using flask_babel helpers."""
    return zone().key


# -- input ------------------------------------------------------------------------------------
def _local_datetime_field():
    from marshmallow import fields

    class LocalDateTime(fields.DateTime):
        """A date and time typed on the territory's wall clock (an explicit offset wins), loaded as naive UTC."""

        def _deserialize(self, value, attr, data, **kwargs):
            from coopserv.schemas import normalise_datetime  # the one rule for years and UTC offsets

            moment = super()._deserialize(value, attr, data, **kwargs)
            typed_with_offset = moment.tzinfo is not None
            moment = normalise_datetime(moment)  # aware: checked and already naive UTC
            return moment if typed_with_offset else to_utc(moment)

        def _serialize(self, value, attr, obj, **kwargs):
            return None if value is None else to_local(value).isoformat()

    return LocalDateTime


#: The schema field for typed times (lives here so the conversion rule exists once).
LocalDateTime = _local_datetime_field()
