"""Training days in a participant's calendar: one entry per day of each session they are enrolled in."""
from sqlalchemy import select

from coopserv.plugin_api import CalendarEvent, ServiceRequest, combine, db, external_url

from .models import Enrolment, SessionDay, TrainingSession


def calendar_events(territory, user, since):
    if user is None:
        return []
    rows = db.session.execute(
        select(SessionDay, TrainingSession, Enrolment.request_id)
        .join(TrainingSession, TrainingSession.id == SessionDay.session_id)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.user_id == user.id, ServiceRequest.status.in_(("enrolled", "completed", "not_completed")),
               SessionDay.day >= since.date())
        .order_by(SessionDay.day)
    ).all()
    return [CalendarEvent(
        uid=f"iot-training-day-{day.id}-user-{user.id}@{territory.slug}.coopserv", title=session.course.title,
        starts_at=combine(day.day, session.starts_at, territory), ends_at=combine(day.day, session.ends_at, territory),
        location=session.place, description=session.trainer,
        url=external_url("requests.detail", territory=territory, request_id=request_id))
        for day, session, request_id in rows]
