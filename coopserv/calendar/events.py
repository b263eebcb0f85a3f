"""What goes into a calendar: the core's own events and the ``CalendarEvent`` plugins return."""
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CalendarEvent:
    """One entry of a calendar feed.

    ``uid`` is stable and unique across the platform (e.g.
    ``"iot-session-12-enrolment-40@figeac"``): calendar programs update an
    entry with the same uid. ``starts_at``/``ends_at`` are stored instants
    (naive UTC ``datetime``) shown in the territory's zone; give ``date``
    values instead for all-day entries (``ends_at`` is then the last day,
    included). ``url`` is an absolute link (``plugin_api.external_url``).
    ``sequence`` grows each time the event changes (a moved meeting).
    """

    uid: str
    title: str
    starts_at: datetime | date
    ends_at: datetime | date | None = None
    location: str = ""
    description: str = ""
    url: str = ""
    sequence: int = 0
    #: "CONFIRMED", "TENTATIVE" or "CANCELLED".
    status: str = "CONFIRMED"
    #: A repetition (RFC 5545 RRULE) as a dict, e.g. ``{"freq": "weekly", "until": date(2027, 7, 2)}``:
    #: repeated on the territory's wall clock, so 8:30 stays 8:30 after a change of summer time.
    rrule: dict | None = None
