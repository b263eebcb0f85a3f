"""What a reservation needs: a car park open to reservations, with spots."""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import Lot, Spot


def prerequisites(module):
    reservable = (Lot.active.is_(True), Lot.allow_reservations.is_(True))
    lots = db.session.scalar(select(func.count()).select_from(Lot).where(*reservable))
    spots = db.session.scalar(select(func.count()).select_from(Spot).join(Lot, Spot.lot_id == Lot.id).where(*reservable))
    link = "smart_parking.manage"
    return [
        Prerequisite(_l("A car park open to reservations"), bool(lots), link),
        Prerequisite(_l("Spots in a car park open to reservations"), bool(spots), link),
    ]
