"""A person's parking reservations in their calendar."""
from sqlalchemy import select

from coopserv.plugin_api import CalendarEvent, ServiceRequest, db, external_url, gettext

from .models import Lot, Reservation


def calendar_events(territory, user, since):
    if user is None:
        return []
    rows = db.session.execute(
        select(Reservation, Lot.name, Lot.address).join(Lot, Lot.id == Reservation.lot_id)
        .join(ServiceRequest, ServiceRequest.id == Reservation.request_id)
        .where(Reservation.user_id == user.id, ServiceRequest.status.in_(("confirmed", "honoured")),
               Reservation.ends_at >= since)
        .order_by(Reservation.starts_at)
    ).all()
    return [CalendarEvent(
        uid=f"parking-reservation-{reservation.id}@{territory.slug}.coopserv",
        title=gettext("Parking: %(lot)s", lot=name), starts_at=reservation.starts_at, ends_at=reservation.ends_at,
        location=address or name,
        url=external_url("requests.detail", territory=territory, request_id=reservation.request_id))
        for reservation, name, address in rows]
