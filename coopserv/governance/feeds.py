"""Governance in calendar feeds: committee meetings for members, events for those registered, events in public."""
from sqlalchemy import select

from coopserv.extensions import db

from .calendar import governance_event, meeting_event
from .models import EventRegistration, GovernanceEvent, Meeting, MeetingAttendance


def governance_entries(territory, user, since):
    """Meetings and events from ``since`` on: the public ones when ``user`` is None, else the person's."""
    from .services import is_committee_member

    events = select(GovernanceEvent).where(GovernanceEvent.starts_at >= since).order_by(GovernanceEvent.starts_at)
    if user is None:
        return [governance_event(event, territory) for event in db.session.scalars(events)]
    registered = select(EventRegistration.event_id).filter_by(user_id=user.id)
    entries = [governance_event(event, territory)
               for event in db.session.scalars(events.where(GovernanceEvent.id.in_(registered)))]
    meetings = select(Meeting).where(Meeting.starts_at >= since).order_by(Meeting.starts_at)
    if not is_committee_member(user):
        invited = select(MeetingAttendance.meeting_id).filter_by(user_id=user.id)
        meetings = meetings.where(Meeting.id.in_(invited))
    entries += [meeting_event(meeting, territory) for meeting in db.session.scalars(meetings)]
    return entries
