"""NGSI-LD geo-queries (ETSI GS CIM 009, clause 4.10) over the points where car parks and spots stand.

``georel`` is ``near;maxDistance==<metres>`` and/or ``near;minDistance==<metres>``
(with a ``Point``), ``within`` (a ``Polygon`` or ``MultiPolygon``) or
``intersects`` (a ``Point``, ``Polygon`` or ``MultiPolygon``); ``geometry`` and
``coordinates`` (GeoJSON order: longitude, latitude) describe the reference
shape, and ``geoproperty`` defaults to ``location``. Every test is written twice
with the same arithmetic, once as SQL (spots are filtered and paginated by the
database) and once in Python (car parks, few, are filtered in memory), so a spot
and its car park standing on the same point always answer alike.

Distances use a flat-earth approximation around the reference point (one
constant scale per axis, no trigonometry per row, so the same SQL runs on SQLite
and PostgreSQL): the error is below 0.5 % up to 50 km, far under a car park's
size at the distances people query. Points are tested against polygons by ray
casting; a point lying exactly on an edge may fall either side. Entities without
coordinates never match a geo-query (NGSI-LD: an entity lacking the GeoProperty
does not match).
"""
import json
import math
from dataclasses import dataclass

from sqlalchemy import and_, case, false, literal, or_

from coopserv.plugin_api import gettext

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS = 6_371_008.8
_METRES_PER_DEGREE = EARTH_RADIUS * math.pi / 180
#: The most vertices a query's polygons may have in all: each is one term of the SQL test.
MAX_VERTICES = 200
#: The most characters ``coordinates`` may have (200 vertices at full precision fit easily).
MAX_COORDINATES_LENGTH = 10_000
RELATIONS = ("near", "within", "intersects")
GEOMETRIES = {"near": ("Point",), "within": ("Polygon", "MultiPolygon"),
              "intersects": ("Point", "Polygon", "MultiPolygon")}
#: Two points closer than this (degrees, about a millimetre) are the same point.
_SAME_POINT = 1e-8


class GeoQueryError(ValueError):
    """A geo-query the API cannot read; the message says which parameter and why."""


def _number(text, name):
    try:
        value = float(text)
    except ValueError:
        raise GeoQueryError(gettext("%(name)s must be a number of metres.", name=name)) from None
    if not math.isfinite(value) or value < 0:
        raise GeoQueryError(gettext("%(name)s must be a number of metres, zero or more.", name=name))
    return value


def _position(value):
    """A GeoJSON position [longitude, latitude] checked for range, as a (lon, lat) tuple."""
    if (not isinstance(value, list) or len(value) not in (2, 3)
            or not all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value)):
        raise GeoQueryError(gettext("Each position is [longitude, latitude] in numbers."))
    longitude, latitude = float(value[0]), float(value[1])
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise GeoQueryError(gettext("A longitude lies between -180 and 180, a latitude between -90 and 90."))
    return longitude, latitude


def _polygon(value):
    """A GeoJSON polygon: closed rings of at least four positions (the first ring outside, the others holes)."""
    if not isinstance(value, list) or not value:
        raise GeoQueryError(gettext("A Polygon is a list of rings, each a list of [longitude, latitude]."))
    rings = []
    for ring in value:
        if not isinstance(ring, list) or len(ring) < 4:
            raise GeoQueryError(gettext("Each ring of a Polygon has at least four positions."))
        positions = [_position(item) for item in ring]
        if positions[0] != positions[-1]:
            raise GeoQueryError(gettext("Each ring of a Polygon ends on its first position."))
        rings.append(positions)
    return rings


@dataclass(frozen=True)
class GeoQuery:
    """A parsed geo-query: a relation, a reference point or polygons, and distances for ``near``."""

    relation: str
    geometry: str
    #: (lon, lat) for a Point.
    point: tuple | None = None
    #: Polygons, each a list of rings, each a list of (lon, lat).
    polygons: tuple = ()
    max_distance: float | None = None
    min_distance: float | None = None
    #: False when ``geoproperty`` names a GeoProperty the entities do not have: nothing matches.
    on_location: bool = True

    @classmethod
    def from_args(cls, args):
        """Read georel, geometry, coordinates and geoproperty; None when the query has no georel."""
        georel, geometry, coordinates = (args.get(name, "").strip() for name in ("georel", "geometry",
                                                                                  "coordinates"))
        if not georel:
            if geometry or coordinates:
                raise GeoQueryError(gettext("geometry and coordinates go with georel."))
            return None
        relation, *modifiers = [part.strip() for part in georel.split(";")]
        if relation not in RELATIONS:
            raise GeoQueryError(gettext("georel must be one of: %(values)s.", values=", ".join(RELATIONS)))
        distances = {}
        for modifier in modifiers:
            name, sep, raw = modifier.partition("==")
            if relation != "near" or not sep or name not in ("maxDistance", "minDistance") or name in distances:
                raise GeoQueryError(gettext("Write georel as near;maxDistance==2000, near;minDistance==100, "
                                            "within or intersects."))
            distances[name] = _number(raw, name)
        if relation == "near" and not distances:
            raise GeoQueryError(gettext("near needs maxDistance or minDistance, e.g. near;maxDistance==2000."))
        if geometry not in GEOMETRIES[relation]:
            raise GeoQueryError(gettext("With georel=%(relation)s, geometry must be %(values)s.", relation=relation,
                                        values=" or ".join(GEOMETRIES[relation])))
        if not coordinates:
            raise GeoQueryError(gettext("coordinates is required with georel."))
        if len(coordinates) > MAX_COORDINATES_LENGTH:
            raise GeoQueryError(gettext("coordinates is too long (at most %(max)s characters).",
                                        max=MAX_COORDINATES_LENGTH))
        try:
            value = json.loads(coordinates)
        except ValueError:
            raise GeoQueryError(gettext("coordinates must be a JSON array, e.g. [4.2997,46.9512].")) from None
        point, polygons = None, ()
        if geometry == "Point":
            point = _position(value)
        else:
            if geometry == "MultiPolygon" and (not isinstance(value, list) or not value):
                raise GeoQueryError(gettext("A MultiPolygon is a list of Polygons."))
            polygons = tuple(_polygon(item) for item in (value if geometry == "MultiPolygon" else [value]))
            if sum(len(ring) for polygon in polygons for ring in polygon) > MAX_VERTICES:
                raise GeoQueryError(gettext("Use at most %(max)s positions in the polygons.", max=MAX_VERTICES))
        geoproperty = args.get("geoproperty", "location").strip() or "location"
        return cls(relation, geometry, point, polygons, distances.get("maxDistance"), distances.get("minDistance"),
                   on_location=geoproperty.rsplit("/", 1)[-1] == "location")

    # -- near: scaled offsets from the reference point --------------------------------------------

    def _scales(self):
        """Metres per degree of longitude and of latitude around the reference point."""
        return _METRES_PER_DEGREE * math.cos(math.radians(self.point[1])), _METRES_PER_DEGREE

    def distance(self, longitude, latitude):
        """Metres from the reference point, by the same arithmetic as the SQL test."""
        scale_x, scale_y = self._scales()
        dx, dy = (longitude - self.point[0]) * scale_x, (latitude - self.point[1]) * scale_y
        return math.sqrt(dx * dx + dy * dy)

    def bounding_box(self):
        """(west, south, east, north) that holds every match, or None when matches may lie anywhere."""
        if self.relation == "near":
            if self.max_distance is None:
                return None
            scale_x, scale_y = self._scales()
            reach_x = self.max_distance / scale_x if scale_x > 0 else 360
            reach_y = self.max_distance / scale_y
            return (self.point[0] - reach_x, self.point[1] - reach_y, self.point[0] + reach_x,
                    self.point[1] + reach_y)
        if self.point is not None:
            return (self.point[0] - _SAME_POINT, self.point[1] - _SAME_POINT, self.point[0] + _SAME_POINT,
                    self.point[1] + _SAME_POINT)
        positions = [position for polygon in self.polygons for ring in polygon for position in ring]
        return (min(lon for lon, _ in positions), min(lat for _, lat in positions),
                max(lon for lon, _ in positions), max(lat for _, lat in positions))

    # -- the test, in Python and in SQL -----------------------------------------------------------

    def matches(self, longitude, latitude):
        """Tell whether a point (None when the entity has no location) answers the query."""
        if not self.on_location or longitude is None or latitude is None:
            return False
        box = self.bounding_box()
        if box and not (box[0] <= longitude <= box[2] and box[1] <= latitude <= box[3]):
            return False
        if self.relation == "near":
            scale_x, scale_y = self._scales()
            dx, dy = (longitude - self.point[0]) * scale_x, (latitude - self.point[1]) * scale_y
            squared = dx * dx + dy * dy
            return ((self.max_distance is None or squared <= self.max_distance ** 2)
                    and (self.min_distance is None or squared >= self.min_distance ** 2))
        if self.point is not None:
            return True  # inside the millimetre box: the same point
        return any(sum(1 for edge in _edges(polygon) if _crosses(edge, longitude, latitude)) % 2 == 1
                   for polygon in self.polygons)

    def clause(self, longitude, latitude):
        """The same test as ``matches`` as a SQL condition on two column expressions."""
        if not self.on_location:
            return false()
        conditions = [longitude.isnot(None), latitude.isnot(None)]
        box = self.bounding_box()
        if box:
            conditions += [longitude.between(box[0], box[2]), latitude.between(box[1], box[3])]
        if self.relation == "near":
            scale_x, scale_y = self._scales()
            dx, dy = (longitude - self.point[0]) * scale_x, (latitude - self.point[1]) * scale_y
            squared = dx * dx + dy * dy
            if self.max_distance is not None:
                conditions.append(squared <= self.max_distance ** 2)
            if self.min_distance is not None:
                conditions.append(squared >= self.min_distance ** 2)
        elif self.point is None:
            conditions.append(or_(*[_inside_sql(polygon, longitude, latitude) for polygon in self.polygons]))
        return and_(*conditions)


def _edges(polygon):
    """Every non-horizontal edge of every ring, as (x1, y1, slope, low y, high y)."""
    for ring in polygon:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if y1 != y2:
                yield x1, y1, (x2 - x1) / (y2 - y1), min(y1, y2), max(y1, y2)


def _crosses(edge, longitude, latitude):
    """Tell whether a ray from the point towards the east crosses the edge (ray casting)."""
    x1, y1, slope, low, high = edge
    return low <= latitude < high and longitude < x1 + (latitude - y1) * slope


def _inside_sql(polygon, longitude, latitude):
    """Ray casting in SQL: an odd number of edges crossed means inside (holes included)."""
    crossings = literal(0)
    for x1, y1, slope, low, high in _edges(polygon):
        crossings = crossings + case((and_(latitude >= low, latitude < high,
                                           longitude < x1 + (latitude - y1) * slope), 1), else_=0)
    return crossings % 2 == 1
