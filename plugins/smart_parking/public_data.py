"""What a territory publishes about its car parks: availability of every lot, in three queries whatever their number.

Counts follow the live availability page (a free spot reserved right now is
"reserved", not free); names follow the smart-data-models OffStreetParking
model, so the CSV, the JSON and the NGSI-LD entities say the same thing.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from coopserv.plugin_api import current_territory, db, utcnow

from .models import Lot, Reservation, Spot
from .observations import lot_ngsi_id
from .services import Counts

CSV_COLUMNS = ("id", "name", "category", "latitude", "longitude", "totalSpotNumber", "availableSpotNumber",
               "occupiedSpotNumber", "reservedSpotNumber", "closedSpotNumber", "unknownSpotNumber", "occupancy",
               "observedAt")


@dataclass
class LotAvailability:
    lot: Lot
    counts: Counts
    #: Newest observation of any of its spots (naive UTC), or None.
    observed_at: datetime | None


def lots_availability(now=None, lot_ids=None):
    """Every active lot (or those of ``lot_ids``) with its spots counted by status now, ordered by id."""
    now = now or utcnow()
    query = select(Lot).where(Lot.active.is_(True)).order_by(Lot.id)
    if lot_ids is not None:
        query = query.where(Lot.id.in_(lot_ids))
    lots = db.session.scalars(query).all()
    ids = [lot.id for lot in lots]
    counts = {lot_id: Counts() for lot_id in ids}
    observed = {}
    if not ids:
        return []
    for lot_id, status, count, newest in db.session.execute(
            select(Spot.lot_id, Spot.status, func.count(), func.max(Spot.status_observed_at))
            .where(Spot.lot_id.in_(ids)).group_by(Spot.lot_id, Spot.status)):
        counts[lot_id].total += count
        setattr(counts[lot_id], status, getattr(counts[lot_id], status) + count)
        if newest is not None and (observed.get(lot_id) is None or newest > observed[lot_id]):
            observed[lot_id] = newest
    for lot_id, count in db.session.execute(
            select(Reservation.lot_id, func.count(func.distinct(Reservation.spot_id)))
            .join(Spot, Spot.id == Reservation.spot_id)
            .where(Reservation.lot_id.in_(ids), Reservation.holding.is_(True), Reservation.starts_at <= now,
                   Reservation.ends_at > now, Spot.status == "free")
            .group_by(Reservation.lot_id)):
        counts[lot_id].free -= count
        counts[lot_id].reserved += count
    return [LotAvailability(lot, counts[lot.id], observed.get(lot.id)) for lot in lots]


def occupancy(counts):
    """Share (0 to 1) of the spots with a known state that nobody else can take now, or None."""
    percent = counts.occupancy_percent
    known = counts.free + counts.occupied + counts.reserved
    return None if percent is None else round((counts.occupied + counts.reserved) / known, 4)


def lot_record(row):
    """One lot's availability as a flat record (JSON and CSV)."""
    lot, counts = row.lot, row.counts
    return {
        "id": lot_ngsi_id(current_territory().slug, lot.id, lot.ngsi_id), "name": lot.name, "category": lot.category,
        "latitude": lot.latitude, "longitude": lot.longitude, "totalSpotNumber": counts.total,
        "availableSpotNumber": counts.free, "occupiedSpotNumber": counts.occupied,
        "reservedSpotNumber": counts.reserved, "closedSpotNumber": counts.closed,
        "unknownSpotNumber": counts.unknown, "occupancy": occupancy(counts),
        "observedAt": row.observed_at.isoformat() + "Z" if row.observed_at else None,
    }
