"""The territory's car parks as NGSI-LD entities (smart-data-models OffStreetParking and ParkingSpot).

A small, read-only subset of the NGSI-LD API (ETSI GS CIM 009) that FIWARE
dashboards use: query by type, id, ``idPattern`` (RE2), ``q`` (status and the
lots' numbers), geo-queries (``georel``, see geoquery.py), ``attrs``, pagination
(``limit``, ``offset``, ``count``), in the normalized, concise or simplified
(keyValues) representation. Lots are few and filtered in Python; spots are
filtered, ordered and paginated in SQL, so a page costs the same whatever the
number of spots.
"""
import functools
import re
from dataclasses import dataclass, field

import re2
from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.exc import DataError

from coopserv.plugin_api import db, gettext

from .geoquery import GeoQuery, GeoQueryError
from .models import Lot, Spot
from .ngsi import term
from .observations import default_spot_ngsi_id, lot_ngsi_id
from .public_data import lots_availability, occupancy

OFF_STREET_PARKING, PARKING_SPOT = "OffStreetParking", "ParkingSpot"
TYPES = (OFF_STREET_PARKING, PARKING_SPOT)
DEFAULT_LIMIT, MAX_LIMIT = 20, 1000
FORMATS = {"normalized": "normalized", "concise": "concise", "keyValues": "simplified", "simplified": "simplified"}
_TERM = re.compile(r'^\s*([A-Za-z][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$')
#: The longest idPattern accepted (entity ids are at most 256 characters).
MAX_ID_PATTERN = 256


class QueryError(ValueError):
    """A query parameter the API cannot honour; the message says which and why."""


@dataclass
class Condition:
    """One term of ``q``: attribute, operator and the values it is compared with (any of them matches for ==)."""

    attribute: str
    operator: str
    values: list

    def matches(self, value):
        candidates = value if isinstance(value, list) else [value]
        if value is None:
            return False
        if self.operator == "==":
            return any(candidate in self.values for candidate in candidates)
        if self.operator == "!=":
            return all(candidate not in self.values for candidate in candidates)
        if not isinstance(value, (int, float)) or not all(isinstance(v, (int, float)) for v in self.values):
            return False
        target = self.values[0]
        return {">": value > target, ">=": value >= target, "<": value < target, "<=": value <= target}[self.operator]


def _literal(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_q(text):
    """Parse ``q``: terms joined by ``;`` (and), each ``attribute op value`` with ``==`` taking a list a,b."""
    conditions = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        if "|" in part or "(" in part:
            raise QueryError(gettext("Only terms joined by ; are supported in q (no | nor parentheses)."))
        found = _TERM.match(part)
        if not found:
            raise QueryError(gettext("Cannot read the q term “%(term)s”; write e.g. status==\"free\".", term=part))
        attribute, operator, raw = found.groups()
        values = [_literal(value) for value in re.findall(r'"[^"]*"|[^,]+', raw)]
        if operator not in ("==", "!=") and len(values) != 1:
            raise QueryError(gettext("Compare %(attribute)s with one number.", attribute=attribute))
        conditions.append(Condition(attribute, operator, values))
    return conditions


def compile_id_pattern(text):
    """Compile ``idPattern`` with RE2, or raise QueryError.

    RE2 runs in time linear in the input and refuses what makes other engines
    backtrack (back-references, look-arounds), so no pattern can stall a
    request; the pattern is searched for anywhere in the id, as brokers do.
    """
    if len(text) > MAX_ID_PATTERN:
        raise QueryError(gettext("idPattern is too long (at most %(max)s characters).", max=MAX_ID_PATTERN))
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(text, options)
    except re2.error:
        raise QueryError(gettext("idPattern is not a regular expression this API can run "
                                 "(no back-references nor look-arounds): %(pattern)s", pattern=text)) from None


def _integer(args, name, default, low, high):
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(gettext("%(name)s must be a whole number.", name=name)) from None
    if not low <= value <= high:
        raise QueryError(gettext("%(name)s must be between %(low)s and %(high)s.", name=name, low=low, high=high))
    return value


@dataclass
class EntityQuery:
    """A parsed entities query."""

    types: tuple = TYPES
    ids: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    attrs: list = field(default_factory=list)
    representation: str = "normalized"
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    count: bool = False
    #: Compiled ``idPattern`` (RE2), or None.
    id_pattern: object = None
    #: ``georel``/``geometry``/``coordinates`` as a GeoQuery, or None.
    geo: GeoQuery | None = None

    @classmethod
    def from_args(cls, args, entity_id=None):
        """Read the query string of GET /entities (or of one entity, for its id)."""
        types = TYPES
        if args.get("type"):
            types = tuple(name for name in TYPES if name in {term(part.strip()) for part in args["type"].split(",")})
        ids = [entity_id] if entity_id else [part.strip() for part in args.get("id", "").split(",") if part.strip()]
        for unsupported in ("csf", "scopeQ"):
            if args.get(unsupported):
                raise QueryError(gettext("The parameter %(name)s is not supported here.", name=unsupported))
        id_pattern = compile_id_pattern(args["idPattern"]) if args.get("idPattern") else None
        try:
            geo = GeoQuery.from_args(args)
        except GeoQueryError as error:
            raise QueryError(str(error)) from None
        options = {part.strip() for part in args.get("options", "").split(",") if part.strip()}
        representation = FORMATS.get(args.get("format", ""), "normalized")
        for option in options:
            representation = FORMATS.get(option, representation)
        return cls(types=types, ids=ids, conditions=parse_q(args.get("q")),
                   attrs=[term(part.strip()) for part in args.get("attrs", "").split(",") if part.strip()],
                   representation=representation, limit=_integer(args, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT),
                   offset=_integer(args, "offset", 0, 0, 10**9),
                   count=args.get("count") == "true" or "count" in options, id_pattern=id_pattern, geo=geo)


# -- building entities --------------------------------------------------------------------------

def _property(value, observed_at=None):
    item = {"type": "Property", "value": value}
    if observed_at is not None:
        item["observedAt"] = observed_at.isoformat(timespec="seconds") + "Z"
    return item


def _location(latitude, longitude):
    if latitude is None or longitude is None:
        return None
    return {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [longitude, latitude]}}


def lot_status(counts, nearly_full_percent):
    """The lot's status in the DATEX II terms OffStreetParking uses."""
    if counts.total == 0 or counts.in_service == 0:
        return "closed"
    if counts.free == 0 and counts.unknown == 0:
        return "full"
    percent = counts.occupancy_percent
    if percent is not None and percent >= nearly_full_percent:
        return "almostFull"
    return "spacesAvailable"


def lot_entity(row, slug, nearly_full_percent):
    """A lot and its availability as a normalized OffStreetParking entity."""
    lot, counts, observed = row.lot, row.counts, row.observed_at
    entity = {"id": lot_ngsi_id(slug, lot.id, lot.ngsi_id), "type": OFF_STREET_PARKING,
              "name": _property(lot.name), "category": _property([lot.category]),
              "allowedVehicleType": _property(["car"]),
              "status": _property([lot_status(counts, nearly_full_percent)], observed),
              "totalSpotNumber": _property(counts.total, observed),
              "availableSpotNumber": _property(counts.free, observed),
              "occupiedSpotNumber": _property(counts.occupied + counts.reserved, observed)}
    share = occupancy(counts)
    if share is not None:
        entity["occupancy"] = _property(share, observed)
    if observed is not None:
        entity["occupancyModified"] = _property({"@type": "DateTime",
                                                 "@value": observed.isoformat(timespec="seconds") + "Z"})
    if lot.address:
        entity["address"] = _property({"streetAddress": lot.address})
    location = _location(lot.latitude, lot.longitude)
    if location:
        entity["location"] = location
    return entity


def spot_entity(spot, slug, lot_latitude, lot_longitude, lot_own_id=None):
    """A spot as a normalized ParkingSpot entity; it stands where its lot does when it has no point of its own."""
    entity = {"id": spot.ngsi_id or default_spot_ngsi_id(slug, spot.id), "type": PARKING_SPOT,
              "name": _property(spot.ref), "category": _property(["offStreet"]),
              "status": _property(spot.status, spot.status_observed_at),
              "refParkingSite": {"type": "Relationship", "object": lot_ngsi_id(slug, spot.lot_id, lot_own_id)}}
    location = (_location(spot.latitude, spot.longitude) if _has_point(spot)
                else _location(lot_latitude, lot_longitude))
    if location:
        entity["location"] = location
    return entity


def _has_point(spot):
    return spot.latitude is not None and spot.longitude is not None


def spot_point():
    """(longitude, latitude) SQL expressions of where a spot stands: its own point, else its lot's (as spot_entity)."""
    own = and_(Spot.latitude.isnot(None), Spot.longitude.isnot(None))
    return case((own, Spot.longitude), else_=Lot.longitude), case((own, Spot.latitude), else_=Lot.latitude)


def simplified_value(attribute):
    value = attribute.get("value", attribute.get("object"))
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


def represent(entity, representation, attrs=()):
    """The entity in the asked representation, keeping only ``attrs`` when given (id and type always)."""
    result = {}
    for name, attribute in entity.items():
        if name in ("id", "type"):
            result[name] = attribute
            continue
        if attrs and name not in attrs:
            continue
        if representation == "simplified":
            result[name] = simplified_value(attribute)
        elif representation == "concise":
            result[name] = _concise(attribute)
        else:
            result[name] = attribute
    return result


def _concise(attribute):
    """NGSI-LD concise form: no "type"; a bare value when nothing else qualifies it."""
    kind = attribute.get("type")
    if kind == "Relationship":
        return {"object": attribute["object"]}
    if kind == "GeoProperty":
        return attribute["value"]
    rest = {key: value for key, value in attribute.items() if key != "type"}
    return rest if set(rest) != {"value"} or isinstance(rest["value"], dict) else rest["value"]


# -- querying ---------------------------------------------------------------------------------------

def _spot_id_filter(ids, slug):
    pattern = re.compile(re.escape(f"urn:ngsi-ld:ParkingSpot:{slug}:") + r"(\d+)$")
    own = [int(found.group(1)) for entity_id in ids if (found := pattern.match(entity_id))]
    return or_(Spot.ngsi_id.in_(ids), and_(Spot.ngsi_id.is_(None), Spot.id.in_(own)))


def spot_entity_id(slug):
    """The SQL expression of a spot's NGSI-LD id (its own, else the one coopserv gives it)."""
    return func.coalesce(Spot.ngsi_id, literal(f"urn:ngsi-ld:ParkingSpot:{slug}:") + cast(Spot.id, String))


def _id_pattern_clause(pattern, slug):
    """idPattern in SQL: PostgreSQL's own regular expressions; on SQLite, RE2 given to the connection."""
    column = spot_entity_id(slug)
    if db.session.get_bind().dialect.name == "postgresql":
        return column.regexp_match(pattern.pattern)
    # SQLite has no regular expressions (SQLAlchemy's REGEXP uses Python's re, which can backtrack).
    db.session.connection().connection.dbapi_connection.create_function(
        "smart_parking_re2_search", 2, _re2_search, deterministic=True)
    return func.smart_parking_re2_search(pattern.pattern, column) == 1


@functools.lru_cache(maxsize=64)
def _cached_pattern(text):
    return compile_id_pattern(text)


def _re2_search(pattern, value):
    if pattern is None or value is None:
        return None
    return 1 if _cached_pattern(pattern).search(value) else 0


def _spot_conditions(conditions):
    """SQL for q on spots; None when a term names something spots do not have (then no spot matches)."""
    clauses = []
    for condition in conditions:
        if condition.attribute != "status" or condition.operator not in ("==", "!="):
            return None
        values = [str(value) for value in condition.values]
        clauses.append(Spot.status.in_(values) if condition.operator == "==" else Spot.status.not_in(values))
    return clauses


def _add_spots(query, slug, filters, page, more, total, skip):
    """Fill the page with spots (ordered by id, offset past the lots), then tell whether more follow and count."""
    wanted = query.limit - len(page)
    if wanted > 0:
        rows = db.session.execute(select(Spot, Lot.latitude, Lot.longitude, Lot.ngsi_id)
                                  .join(Lot, Lot.id == Spot.lot_id)
                                  .where(*filters).order_by(Spot.id).offset(skip).limit(wanted + 1)).all()
        more = len(rows) > wanted
        page = page + [spot_entity(spot, slug, latitude, longitude, own_id)
                       for spot, latitude, longitude, own_id in rows[:wanted]]
    elif not more:
        more = db.session.scalar(select(Spot.id).join(Lot, Lot.id == Spot.lot_id).where(*filters)
                                 .limit(1)) is not None
    if query.count:
        total += db.session.scalar(select(func.count(Spot.id)).join(Lot, Lot.id == Spot.lot_id).where(*filters))
    return page, more, total


def find_entities(query, slug, now, nearly_full_percent=90):
    """Return (a page of entities in the asked representation, whether more follow, total or None).

    The total is counted only when the query asks for it (``count=true``): it
    is the one part whose cost grows with the number of spots.
    """
    lots = []
    if OFF_STREET_PARKING in query.types:
        lots = [(lot_entity(row, slug, nearly_full_percent), row.lot) for row in lots_availability(now)]
        lots = [entity for entity, lot in lots
                if (not query.ids or entity["id"] in query.ids)
                and (query.id_pattern is None or query.id_pattern.search(entity["id"]))
                and (query.geo is None or query.geo.matches(lot.longitude, lot.latitude))
                and all(condition.matches(simplified_value(entity[condition.attribute])
                                          if condition.attribute in entity else None)
                        for condition in query.conditions)]
    filters = None
    if PARKING_SPOT in query.types:
        filters = _spot_conditions(query.conditions)
        if filters is not None:
            filters = [Lot.active.is_(True), *filters]
            if query.ids:
                filters.append(_spot_id_filter(query.ids, slug))
            if query.id_pattern is not None:
                filters.append(_id_pattern_clause(query.id_pattern, slug))
            if query.geo is not None:
                filters.append(query.geo.clause(*spot_point()))
    page = lots[query.offset:query.offset + query.limit]
    more = len(lots) > query.offset + query.limit
    total = len(lots)
    if filters is not None:
        try:
            page, more, total = _add_spots(query, slug, filters, page, more, total, skip=max(0, query.offset - len(lots)))
        except DataError:
            # PostgreSQL refused a pattern RE2 accepted (e.g. a repetition count above 255).
            db.session.rollback()
            raise QueryError(gettext("idPattern is not a regular expression this API can run: %(pattern)s",
                                     pattern=query.id_pattern.pattern)) from None
    return [represent(entity, query.representation, query.attrs) for entity in page], more, \
        (total if query.count else None)
