"""A family's childminder-house days in their calendar: each weekly slot of an allocated place, repeated."""
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.plugin_api import CalendarEvent, ServiceRequest, combine, db, external_url, gettext

from .models import House, Placement


def _first_on_or_after(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def calendar_events(territory, user, since):
    if user is None:
        return []
    rows = db.session.execute(
        select(Placement, House.name, House.address).join(House, House.id == Placement.house_id)
        .join(ServiceRequest, ServiceRequest.id == Placement.request_id)
        .where(Placement.requester_id == user.id, ServiceRequest.status == "allocated")
        .options(selectinload(Placement.slots))
    ).all()
    entries = []
    for placement, house, address in rows:
        if placement.end_date is not None and placement.end_date < since.date():
            continue
        for slot in placement.slots:
            first = _first_on_or_after(placement.start_date, slot.weekday)
            starts = time(slot.starts_at // 60, slot.starts_at % 60)
            ends = time(slot.ends_at // 60, slot.ends_at % 60)
            rule = {"freq": "weekly"}
            if placement.end_date is not None:
                rule["until"] = combine(placement.end_date, time(23, 59), territory)
            entries.append(CalendarEvent(
                uid=f"childminder-placement-{placement.id}-day-{slot.weekday}@{territory.slug}.coopserv",
                title=gettext("%(child)s at %(house)s", child=placement.child_first_name, house=house),
                starts_at=combine(first, starts, territory), ends_at=combine(first, ends, territory),
                location=address or house, rrule=rule,
                url=external_url("requests.detail", territory=territory, request_id=placement.request_id)))
    return entries
