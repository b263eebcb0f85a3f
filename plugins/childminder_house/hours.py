"""The house's times of day, kept as minutes after midnight, as a reader says them and as a time input shows them.

Shown through the core's ``format_clock`` ("8 h 30" in French, "8:30 AM" in English), so the house
speaks like every other page; these are wall-clock times of the house, never converted between zones.
"""
from datetime import time

from coopserv.plugin_api import format_clock


def time_of_day(minutes):
    """Minutes after midnight as a ``time`` (midnight at the end of a day reads as 00:00)."""
    minutes %= 24 * 60
    return time(minutes // 60, minutes % 60)


def spoken(minutes):
    """The time of day in the reader's language: "8 h 30" / "8:30 AM"."""
    return format_clock(time_of_day(minutes))


def input_value(minutes):
    """The value of an ``<input type="time">``: "08:30"."""
    return time_of_day(minutes).isoformat(timespec="minutes")
