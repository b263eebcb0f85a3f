"""The territory's bike pools as a GBFS v2.3 feed, so multimodal apps show them beside public transport.

Each pool is a docked station at its business park: its capacity is its number
of bikes, a bike booked for the current time window is out (its dock free).
Every document is built in at most two queries, whatever the number of pools.
"""
from calendar import timegm

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coopserv.plugin_api import db

from .models import BikeBooking, BikePool

VERSION = "2.3"
#: Seconds a reader may keep a document before asking again (availability changes with bookings).
TTL = 60
#: What GBFS says of each kind of pool (vehicle_types.json); e-bikes must give a range (v2.3).
VEHICLE_TYPES = {
    "bike": {"vehicle_type_id": "bike", "form_factor": "bicycle", "propulsion_type": "human", "name": "Vélo"},
    "ebike": {"vehicle_type_id": "ebike", "form_factor": "bicycle", "propulsion_type": "electric_assist",
              "max_range_meters": 50000, "name": "Vélo à assistance électrique"},
}
FEEDS = ("system_information", "vehicle_types", "station_information", "station_status")


def posix(moment):
    """A naive UTC datetime as POSIX seconds."""
    return timegm(moment.utctimetuple())


def envelope(data, now):
    return {"last_updated": posix(now), "ttl": TTL, "version": VERSION, "data": data}


def discovery(now, language, feed_url):
    """gbfs.json: where each feed is; ``feed_url(name)`` gives a feed's absolute URL."""
    return envelope({language: {"feeds": [{"name": name, "url": feed_url(name)} for name in FEEDS]}}, now)


def system_information(territory, now, language, timezone, portal_url):
    return envelope({"system_id": f"coopserv-{territory.slug}", "language": language,
                     "name": f"{territory.name} — vélos partagés", "operator": territory.name,
                     "url": portal_url, "timezone": timezone}, now)


def _pools():
    return db.session.scalars(select(BikePool).options(selectinload(BikePool.business_park))
                              .order_by(BikePool.id)).all()


def vehicle_types(now):
    """The kinds of bikes the pools lend (both kinds when there is no pool yet: the list may not be empty)."""
    kinds = sorted({pool.kind for pool in _pools()}) or sorted(VEHICLE_TYPES)
    return envelope({"vehicle_types": [VEHICLE_TYPES[kind] for kind in kinds]}, now)


def station_information(now):
    stations = []
    for pool in _pools():
        park = pool.business_park
        station = {"station_id": f"pool-{pool.id}", "name": pool.name, "lat": park.latitude, "lon": park.longitude,
                   "capacity": pool.bikes, "is_virtual_station": False}
        if park.address:
            station["address"] = park.address
        stations.append(station)
    return envelope({"stations": stations}, now)


def station_status(now):
    """Bikes available now: the pool's bikes minus those booked for a window that includes now."""
    lent = dict(db.session.execute(
        select(BikeBooking.pool_id, func.count(BikeBooking.id))
        .where(BikeBooking.starts_at <= now, BikeBooking.ends_at > now).group_by(BikeBooking.pool_id)).all())
    stations = []
    for pool in _pools():
        out = min(lent.get(pool.id, 0), pool.bikes)
        available = pool.bikes - out
        stations.append({"station_id": f"pool-{pool.id}", "num_bikes_available": available,
                         "vehicle_types_available": [{"vehicle_type_id": pool.kind, "count": available}],
                         "num_docks_available": out, "is_installed": True, "is_renting": True,
                         "is_returning": True, "last_reported": posix(now)})
    return envelope({"stations": stations}, now)
