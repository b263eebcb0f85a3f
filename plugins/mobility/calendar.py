"""A person's shuttle seats and bike bookings in their calendar."""
from datetime import timedelta

from sqlalchemy import select

from coopserv.plugin_api import CalendarEvent, db, gettext

from .models import BikeBooking, BikePool, BusinessPark, ShuttleBooking, ShuttleRun

#: Runs store their departure only; calendars need an end.
RIDE = timedelta(minutes=30)


def calendar_events(territory, user, since):
    if user is None:
        return []
    runs = db.session.execute(
        select(ShuttleBooking.id, ShuttleRun, BusinessPark.name).join(ShuttleRun, ShuttleRun.id == ShuttleBooking.run_id)
        .join(BusinessPark, BusinessPark.id == ShuttleRun.business_park_id)
        .where(ShuttleBooking.user_id == user.id, ShuttleRun.departs_at >= since).order_by(ShuttleRun.departs_at)
    ).all()
    entries = [CalendarEvent(
        uid=f"mobility-shuttle-booking-{booking_id}@{territory.slug}.coopserv",
        title=gettext("Shuttle %(origin)s → %(park)s", origin=run.origin, park=park), starts_at=run.departs_at,
        ends_at=run.departs_at + RIDE, location=run.origin) for booking_id, run, park in runs]
    bikes = db.session.execute(
        select(BikeBooking, BikePool.name).join(BikePool, BikePool.id == BikeBooking.pool_id)
        .where(BikeBooking.user_id == user.id, BikeBooking.ends_at >= since).order_by(BikeBooking.starts_at)
    ).all()
    entries += [CalendarEvent(
        uid=f"mobility-bike-booking-{booking.id}@{territory.slug}.coopserv",
        title=gettext("Bike: %(pool)s", pool=pool), starts_at=booking.starts_at, ends_at=booking.ends_at,
        location=pool) for booking, pool in bikes]
    return entries
