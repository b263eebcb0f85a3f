"""Write iCalendar documents with the icalendar library, times carried in the territory's zone (VTIMEZONE)."""
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from coopserv.calendar.events import CalendarEvent
from coopserv.timeutil import to_local, utcnow, zone

PRODID = "-//coopserv//coopserv calendar//FR"


def _component(event, territory):
    component = Event()
    component.add("uid", event.uid)
    component.add("summary", event.title)
    component.add("dtstamp", _utc_stamp())
    if isinstance(event.starts_at, datetime):
        start = to_local(event.starts_at, territory)
        end = to_local(event.ends_at, territory) if event.ends_at else start + timedelta(hours=1)
        component.add("dtstart", start)
        component.add("dtend", end)
    else:
        last = event.ends_at if isinstance(event.ends_at, date) else event.starts_at
        component.add("dtstart", event.starts_at)
        component.add("dtend", last + timedelta(days=1))
    if event.location:
        component.add("location", event.location)
    if event.description:
        component.add("description", event.description)
    if event.url:
        component.add("url", event.url)
    if event.rrule:
        component.add("rrule", event.rrule)
    component.add("sequence", event.sequence)
    component.add("status", event.status)
    return component


def _utc_stamp():
    from datetime import timezone

    return utcnow().replace(tzinfo=timezone.utc)


def calendar_bytes(events, name, territory=None, method=None):
    """An iCalendar document (bytes) holding ``events``; ``method`` is "REQUEST" for an invitation."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(zone(territory)))
    if method:
        calendar.add("method", method)
    for event in events:
        calendar.add_component(_component(event, territory))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_attachment(event, territory, filename="invitation.ics", method="REQUEST"):
    """An .ics attachment for an e-mail (the dict ``send_email`` takes)."""
    return {"filename": filename, "mimetype": "text/calendar",
            "content": calendar_bytes([event], event.title, territory, method=method),
            "params": {"method": method}}


__all__ = ["CalendarEvent", "calendar_bytes", "ics_attachment"]
