"""Governance in calendars: a meeting or an event as a ``CalendarEvent`` (feeds and .ics invitations)."""
from datetime import timedelta

from coopserv.calendar.events import CalendarEvent
from coopserv.urls import external_url

#: Meetings store when they start; calendars need an end.
MEETING_LENGTH = timedelta(hours=2)


def meeting_event(meeting, territory):
    return CalendarEvent(
        uid=f"meeting-{meeting.id}@{territory.slug}.coopserv", title=meeting.title, starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + MEETING_LENGTH, location=meeting.place or "",
        url=external_url("governance.meeting", territory=territory, meeting_id=meeting.id),
        sequence=meeting.sequence or 0)


def governance_event(event, territory):
    return CalendarEvent(
        uid=f"event-{event.id}@{territory.slug}.coopserv", title=event.title, starts_at=event.starts_at,
        ends_at=event.starts_at + MEETING_LENGTH, location=event.place or "", description=event.description or "",
        url=external_url("governance.event", territory=territory, event_id=event.id))
