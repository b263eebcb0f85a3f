"""Carpool matching as a pure function: no database, so the pages and the benchmark share it.

Distance model (documented for the people reading the proposals): the detour is the extra
great-circle distance a driver covers to pick a passenger up on the way to the business park,

    detour = haversine(driver_home, passenger_home) + haversine(passenger_home, park)
             - haversine(driver_home, park)

with the haversine formula on a sphere of radius 6371.0088 km (mean Earth radius). It
underestimates road distance (roads wind) but needs no routing service or map data; the
territory's "maximum detour" limit is read in the same unit. Offers are ranked by
detour / max detour + time gap / max time gap (lower is better), the time gap being the larger
of the departure and return differences, so a well-overlapping time window counts as much as a
short detour.

Index: a passenger may only be picked up inside the ellipse whose foci are the driver's home and
the park (sum of distances at most the driver's route plus the detour limit). That ellipse lies
within the box around the driver's route widened by its semi-minor axis. Requests are filed by
(park, grid cell of the home on a local flat projection), each cell sorted by departure time; an
offer visits only the cells of its box, takes the requests leaving within the time limit by
bisection, then checks return time, days, seats, a planar bound (with a safety margin, so it
never drops a real match in a territory-sized area) and finally the exact haversine detour. Work
grows with the number of nearby candidates, not with offers × requests.
"""
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from math import asin, cos, floor, hypot, pi, radians, sin, sqrt
from operator import itemgetter

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * pi / 180
#: Safety margin of the planar pre-filter over the exact haversine test (relative and absolute).
PLANAR_MARGIN = (1.02, 0.2)


@dataclass(frozen=True, slots=True)
class Commute:
    """What matching needs of a published commute (an offer or a request).

    ``weekdays`` is a bit mask (bit 0 = Monday … bit 6 = Sunday); times are minutes after midnight.
    """

    id: int
    park_id: int
    latitude: float
    longitude: float
    weekdays: int
    departure: int
    return_: int
    seats: int
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """The territory's matching limits."""

    max_detour_km: float = 5.0
    max_time_difference: int = 20
    max_proposals_per_request: int = 10


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked proposal: an offer for a request, with what it costs the driver."""

    offer_id: int
    request_id: int
    detour_km: float
    time_gap: int
    shared_days: int
    score: float


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance between two points in kilometres."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = phi2 - phi1, radians(lon2 - lon1)
    a = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))


def detour_km(driver, passenger, park):
    """Extra great-circle kilometres for the driver to pass by the passenger's home (see module doc)."""
    direct = haversine_km(driver[0], driver[1], park[0], park[1])
    via = haversine_km(driver[0], driver[1], passenger[0], passenger[1]) + haversine_km(
        passenger[0], passenger[1], park[0], park[1])
    return max(0.0, via - direct)


def score(detour, time_gap, limits):
    """Rank key, lower is better: detour and time gap, each as a share of its limit."""
    return detour / limits.max_detour_km + time_gap / limits.max_time_difference


def match_commutes(offers, requests, parks, limits=Limits()):
    """Return {request id: [Match, …] best first} for every request having at least one match.

    ``parks`` maps a park id to its (latitude, longitude). An offer matches a request when they
    go to the same park, share at least one weekday, the offer has enough seats, both departure
    and return times differ by at most ``limits.max_time_difference`` minutes and the detour is at
    most ``limits.max_detour_km``. Each request keeps its ``max_proposals_per_request`` best.
    """
    if not offers or not requests:
        return {}
    cell_km = max(limits.max_detour_km, 1.0)
    max_detour, max_gap = limits.max_detour_km, limits.max_time_difference
    frames = {park_id: _Frame(lat, lon) for park_id, (lat, lon) in parks.items()}
    # (park, grid cell) -> requests sorted by departure, as plain tuples (faster to read than
    # attributes), each with its planar position and its exact distance to the park, computed once.
    cells = {}
    for request in requests:
        frame = frames.get(request.park_id)
        if frame is None:
            continue
        park = parks[request.park_id]
        x, y = frame.project(request.latitude, request.longitude)
        cells.setdefault((request.park_id, floor(x / cell_km), floor(y / cell_km)), []).append((
            request.departure, request.return_, request.weekdays, request.seats, request.user_id, x, y,
            haversine_km(request.latitude, request.longitude, park[0], park[1]), request.latitude, request.longitude,
            request.id))
    index = {}
    for key, rows in cells.items():
        rows.sort(key=itemgetter(0))
        index[key] = ([row[0] for row in rows], rows)

    found = {}
    rel, absolute = PLANAR_MARGIN
    for offer in offers:
        frame = frames.get(offer.park_id)
        if frame is None:
            continue
        park_id, park = offer.park_id, parks[offer.park_id]
        o_lat, o_lon, o_days, o_seats, o_user = offer.latitude, offer.longitude, offer.weekdays, offer.seats, offer.user_id
        o_dep, o_ret = offer.departure, offer.return_
        earliest, latest = o_dep - max_gap, o_dep + max_gap
        dx, dy = frame.project(o_lat, o_lon)
        route = hypot(dx, dy)
        reach = (route + max_detour) * rel + absolute
        half_minor = sqrt(max(reach * reach - route * route, 0.0)) / 2
        cells_x = range(floor((min(dx, 0.0) - half_minor) / cell_km), floor((max(dx, 0.0) + half_minor) / cell_km) + 1)
        cells_y = range(floor((min(dy, 0.0) - half_minor) / cell_km), floor((max(dy, 0.0) + half_minor) / cell_km) + 1)
        direct = None
        for cx in cells_x:
            for cy in cells_y:
                cell = index.get((park_id, cx, cy))
                if cell is None:
                    continue
                departures, rows = cell
                for position in range(bisect_left(departures, earliest), bisect_right(departures, latest)):
                    dep, ret, days, seats, user_id, x, y, to_park, lat, lon, request_id = rows[position]
                    if not -max_gap <= o_ret - ret <= max_gap:
                        continue
                    shared = o_days & days
                    if not shared or seats > o_seats or (o_user is not None and user_id == o_user):
                        continue
                    if hypot(dx - x, dy - y) + hypot(x, y) > reach:
                        continue
                    if direct is None:
                        direct = haversine_km(o_lat, o_lon, park[0], park[1])
                    detour = haversine_km(o_lat, o_lon, lat, lon) + to_park - direct
                    if detour > max_detour:
                        continue
                    detour = max(0.0, detour)
                    gap = max(abs(o_dep - dep), abs(o_ret - ret))
                    found.setdefault(request_id, []).append(
                        Match(offer.id, request_id, round(detour, 2), gap, shared, score(detour, gap, limits)))
    keep = limits.max_proposals_per_request
    for matches in found.values():
        matches.sort(key=lambda m: (m.score, -m.shared_days.bit_count(), m.offer_id))
        del matches[keep:]
    return found


class _Frame:
    """A local flat frame in kilometres centred on a park (equirectangular), for the index only."""

    __slots__ = ("kx", "ky", "lat", "lon")

    def __init__(self, lat, lon):
        self.lat, self.lon = lat, lon
        self.ky = KM_PER_DEGREE
        self.kx = KM_PER_DEGREE * cos(radians(lat))

    def project(self, lat, lon):
        return (lon - self.lon) * self.kx, (lat - self.lat) * self.ky


def weekdays_mask(days):
    """Turn weekday numbers (0 = Monday) into a bit mask."""
    mask = 0
    for day in days:
        mask |= 1 << int(day)
    return mask


def weekdays_list(mask):
    """Turn a bit mask back into weekday numbers."""
    return [day for day in range(7) if mask & (1 << day)]


def minutes(value):
    """Minutes after midnight of a ``datetime.time``."""
    return value.hour * 60 + value.minute

