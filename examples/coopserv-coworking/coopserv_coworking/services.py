"""The only place that writes Coworking desks rows."""
from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from coopserv.plugin_api import db, gettext

from .models import Booking, Resource


def active_resources():
    return db.session.scalars(select(Resource).filter_by(active=True).order_by(Resource.name)).all()


def all_resources():
    return db.session.scalars(select(Resource).order_by(Resource.name)).all()


def create_resource(data):
    resource = Resource(**data)
    db.session.add(resource)
    db.session.commit()
    return resource


def store_booking(request, payload):
    """Called inside the core's transaction: the core commits, or rolls back if this raises.

    The unique index settles a race between two people booking the same desk:
    the loser gets the same field error as if the form had seen it taken.
    """
    db.session.add(Booking(request_id=request.id, user_id=request.requester_id, resource_id=payload["resource_id"],
                           day=payload["day"], notes=payload.get("notes", "")))
    try:
        db.session.flush()
    except IntegrityError as error:
        raise ValidationError({"day": [gettext("This desk is already booked that day.")]}) from error


def desk_taken(resource_id, day):
    return db.session.scalar(select(Booking.id).filter_by(resource_id=resource_id, day=day, active=True)) is not None


def release_booking(request_id):
    """Free the desk when its request is declined or cancelled."""
    db.session.execute(update(Booking).where(Booking.request_id == request_id).values(active=False))


def release_bookings(request_ids):
    """Free the desks of several requests at once, when the whole service stops."""
    if request_ids:
        db.session.execute(update(Booking).where(Booking.request_id.in_(request_ids)).values(active=False))


def booking_for_request(request_id):
    return db.session.scalar(select(Booking).filter_by(request_id=request_id))
