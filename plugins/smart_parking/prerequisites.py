"""What a reservation needs: a car park open to reservations, with spots.

Each test is an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import Lot, Spot


def prerequisites(module):
    reservable = (Lot.active.is_(True), Lot.allow_reservations.is_(True))
    link = "smart_parking.manage"
    return [
        Prerequisite(_l("A car park open to reservations"), exists().where(*reservable), link),
        Prerequisite(_l("Spots in a car park open to reservations"),
                     exists().where(Spot.lot_id == Lot.id, *reservable), link),
    ]
