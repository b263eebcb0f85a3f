"""Smart parking indicators: occupancy and turnover from the sensor history, reservations honoured.

Occupancy comes from the event history: each "occupied" observation starts a
period that lasts until the spot's next observation (events received out of
order still line up by observation time), cut into the hours of the local day.
Over whole months (every dashboard and comparison) the figures come from the
occupancy rollup's monthly cells (``occupancy``), a few rows per spot and month;
over local days (a lot's page) from its daily cells. Other periods are computed
from the raw history by the database (``raw_occupied_hours``, ``raw_arrivals``),
the definition the rollup keeps to.

Turnover and reservations honoured are also one SELECT of one row naming the
territory (``IndicatorQuery``), read beside other figures and territories.
Mean and peak occupancy stay on ``compute`` for now: the open period after
each spot's latest reading (and what the last cell period holds after ``end``)
must be cut into the zone's local hours, which the database can do only
against a table of the period's hours bound to the statement.
"""
import json
from datetime import datetime
from functools import lru_cache

from sqlalchemy import DateTime, Integer, and_, case, func, literal, or_, select, text

from coopserv.plugin_api import (
    Indicator,
    IndicatorQuery,
    ServiceRequest,
    _l,
    db,
    hours_between,
    timezone_name,
    utcnow,
)

from . import occupancy
from .models import Reservation, SensorEvent, Spot
from .occupancy import hour_buckets

SERVICE_KEY = "smart_parking"
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _sqlite():
    return db.session.get_bind().dialect.name == "sqlite"


def _bucket_table(buckets):
    if _sqlite():
        source = text("SELECT json_extract(value, '$[0]') AS hour, json_extract(value, '$[1]') AS b_start, "
                      "json_extract(value, '$[2]') AS b_end FROM json_each(:buckets)")
        rows = [[hour, s.strftime(_SQLITE_TIME), e.strftime(_SQLITE_TIME)] for hour, s, e in buckets]
    else:
        source = text("SELECT * FROM jsonb_to_recordset(CAST(:buckets AS jsonb)) "
                      "AS b(hour integer, b_start timestamp, b_end timestamp)")
        rows = [{"hour": hour, "b_start": s.isoformat(), "b_end": e.isoformat()} for hour, s, e in buckets]
    return source.bindparams(buckets=json.dumps(rows)).columns(hour=Integer, b_start=DateTime, b_end=DateTime) \
        .subquery("buckets")


def _spot_filter(territory_id, lot_id):
    condition = Spot.territory_id == territory_id
    return and_(condition, Spot.lot_id == lot_id) if lot_id is not None else condition


def _spot_count(territory_id, lot_id):
    return db.session.scalar(select(func.count(Spot.id)).where(_spot_filter(territory_id, lot_id))) or 0


def _timeline(territory_id, lot_id, until):
    """Events up to ``until`` with the next observation time and the previous status of their spot."""
    order = (SensorEvent.observed_at, SensorEvent.id)
    return (
        select(SensorEvent.spot_id, SensorEvent.status, SensorEvent.observed_at.label("start_at"),
               func.lead(SensorEvent.observed_at).over(partition_by=SensorEvent.spot_id, order_by=order)
               .label("next_at"),
               func.lag(SensorEvent.status).over(partition_by=SensorEvent.spot_id, order_by=order)
               .label("previous_status"))
        .join(Spot, Spot.id == SensorEvent.spot_id)
        .where(_spot_filter(territory_id, lot_id), SensorEvent.territory_id == territory_id,
               SensorEvent.observed_at < until)
        .subquery("timeline")
    )


def occupancy_by_hour(territory_id, start, end, lot_id=None, now=None):
    """Occupancy rate (%) of the spots for each local hour of day over [start, end); {} without spots."""
    now = now or utcnow()
    end = min(end, now)
    spots = _spot_count(territory_id, lot_id)
    if not spots or end <= start:
        return {}
    stored = occupancy.stored_totals(territory_id, start, end, now, lot_id)
    occupied = stored[0] if stored is not None else raw_occupied_hours(territory_id, start, end, lot_id)
    return _rates(occupied, _available_hours(start, end, timezone_name()), spots)


def _rates(occupied, available, spots):
    """Occupancy rate (%) per local hour: occupied spot-hours over the hours the spots were there."""
    return {hour: round(100 * occupied.get(hour, 0.0) / (hours * spots), 1) for hour, hours in available.items()}


def _available_hours(start, end, zone_name):
    """Hours of [start, end) by local hour of day; whole months are cached, so "until now" cuts the current one only."""
    last = occupancy.month_of(end)
    if occupancy.is_month_start(end) or datetime(last.year, last.month, 1) <= start:
        return _hours_of(start, end, zone_name)
    hours = dict(_hours_of(start, datetime(last.year, last.month, 1), zone_name))
    for hour, value in _hours_of(datetime(last.year, last.month, 1), end, zone_name).items():
        hours[hour] = hours.get(hour, 0) + value
    return dict(sorted(hours.items()))


@lru_cache(maxsize=256)
def _hours_of(start, end, zone_name):
    """The same for every territory of a zone: cached (end is "now" at most once per request)."""
    hours = {}
    for hour, bucket_start, bucket_end in hour_buckets(start, end):
        hours[hour] = hours.get(hour, 0) + (bucket_end - bucket_start).total_seconds() / 3600
    return dict(sorted(hours.items()))


def raw_occupied_hours(territory_id, start, end, lot_id=None):
    """Occupied spot-hours by local hour of day over [start, end), from every event (the rollup's definition)."""
    buckets = hour_buckets(start, end) if end > start else []
    if not buckets:
        return {}
    timeline = _timeline(territory_id, lot_id, end)
    period_end = func.coalesce(timeline.c.next_at, literal(end, DateTime()))
    table = _bucket_table(buckets)
    least, greatest = (func.min, func.max) if _sqlite() else (func.least, func.greatest)
    occupied = db.session.execute(
        select(table.c.hour, func.sum(hours_between(least(period_end, table.c.b_end),
                                                    greatest(timeline.c.start_at, table.c.b_start))))
        .select_from(timeline)
        .join(table, and_(timeline.c.start_at < table.c.b_end, period_end > table.c.b_start))
        .where(timeline.c.status == "occupied")
        .group_by(table.c.hour)
    ).all()
    return {int(hour): float(value or 0) for hour, value in occupied}


def arrivals(territory_id, start, end, lot_id=None, now=None):
    """Cars arriving (a spot turning occupied) in [start, end)."""
    if end <= start:
        return 0
    stored = occupancy.stored_totals(territory_id, start, end, now or utcnow(), lot_id)
    return stored[1] if stored is not None else raw_arrivals(territory_id, start, end, lot_id)


def raw_arrivals_select(territory_id, start, end, lot_id=None):
    """Arrivals counted from every event (the rollup's definition), as a one-row SELECT naming the territory."""
    timeline = _timeline(territory_id, lot_id, end)
    return select(func.count()).select_from(timeline).where(
        timeline.c.status == "occupied", timeline.c.start_at >= start,
        or_(timeline.c.previous_status.is_(None), timeline.c.previous_status != "occupied"))


def raw_arrivals(territory_id, start, end, lot_id=None):
    """Arrivals counted from every event (the rollup's definition)."""
    return db.session.scalar(raw_arrivals_select(territory_id, start, end, lot_id)) or 0


def turnover(territory_id, start, end, lot_id=None, now=None):
    """Arrivals per spot per day over the period (None without spots or elapsed time)."""
    now = now or utcnow()
    end = min(end, now)
    spots = _spot_count(territory_id, lot_id)
    days = (end - start).total_seconds() / 86400
    if not spots or days <= 0:
        return None
    return round(arrivals(territory_id, start, end, lot_id, now) / spots / days, 2)


def honoured_select(territory_id, start, end, lot_id=None):
    """Settled reservations starting in the period and those honoured, as a one-row SELECT naming the territory."""
    query = (select(func.count(), func.sum(case((ServiceRequest.status == "honoured", 1), else_=0)))
             .select_from(Reservation).join(ServiceRequest, ServiceRequest.id == Reservation.request_id)
             .where(Reservation.territory_id == territory_id, ServiceRequest.territory_id == territory_id,
                    Reservation.starts_at >= start, Reservation.starts_at < end,
                    ServiceRequest.status.in_(("honoured", "released"))))
    return query.where(Reservation.lot_id == lot_id) if lot_id is not None else query


def _honoured(row):
    settled, honoured = row
    return round(100 * (honoured or 0) / settled, 1) if settled else None


def honoured_rate(territory_id, start, end, lot_id=None):
    """Share (%) of settled reservations starting in the period where the driver came (None if none)."""
    return _honoured(tuple(db.session.execute(honoured_select(territory_id, start, end, lot_id)).one()))


def _mean(profile):
    return round(sum(profile.values()) / len(profile), 1) if profile else None


def mean_occupancy(module, start, end):
    return _mean(occupancy_by_hour(module.territory_id, start, end))


def peak_hour_occupancy(module, start, end):
    profile = occupancy_by_hour(module.territory_id, start, end)
    return max(profile.values()) if profile else None


def module_turnover(module, start, end):
    return turnover(module.territory_id, start, end)


def reservations_honoured(module, start, end):
    return honoured_rate(module.territory_id, start, end)


def reservations_honoured_query(module, start, end):
    """``reservations_honoured`` as one SELECT of one row, read beside other figures and territories."""
    return IndicatorQuery(honoured_select(module.territory_id, start, end), _honoured, names_territory=True)


def turnover_query(module, start, end):
    """``module_turnover`` as one SELECT of one row: the spots, and the arrivals from the occupancy cells.

    Exact as one SELECT: arrivals are stored whole in the cells of the event's
    month and local day, so only those the last cell period holds after ``end``
    are taken away (see ``occupancy.arrivals_expression``); periods the cells do
    not cover count the raw events, as ``arrivals`` does.
    """
    return turnover_select(module.territory_id, start, end, utcnow())


def turnover_select(territory_id, start, end, now):
    """``turnover(territory_id, start, end, now=now)`` as an ``IndicatorQuery`` (see ``turnover_query``)."""
    end = min(end, now)
    days = (end - start).total_seconds() / 86400
    if days <= 0:
        return IndicatorQuery(select(literal(0).label("nothing")), lambda row: None, names_territory=True)
    spots = select(func.count(Spot.id)).where(_spot_filter(territory_id, None)).scalar_subquery()
    arrived = occupancy.arrivals_expression(territory_id, start, end, now)
    if arrived is None:
        arrived = raw_arrivals_select(territory_id, start, end).scalar_subquery()

    def finish(row):
        spot_count, count = row
        return round((count or 0) / spot_count / days, 2) if spot_count else None

    return IndicatorQuery(select(spots.label("spots"), arrived.label("arrivals")), finish, names_territory=True)


def lot_report(lot, start, end, now=None):
    """Everything the lot's indicators page shows, for one period (occupancy and arrivals read once)."""
    now = now or utcnow()
    honoured = honoured_rate(lot.territory_id, start, end, lot.id)  # reservations of the whole period
    end = min(end, now)
    spots = _spot_count(lot.territory_id, lot.id)
    profile, count, turnover_value = {}, 0, None
    if end > start:
        stored = occupancy.stored_totals(lot.territory_id, start, end, now, lot.id)
        if stored is not None:
            occupied, count = stored
        else:
            occupied = raw_occupied_hours(lot.territory_id, start, end, lot.id)
            count = raw_arrivals(lot.territory_id, start, end, lot.id)
        if spots:
            profile = _rates(occupied, _available_hours(start, end, timezone_name()), spots)
            turnover_value = round(count / spots / ((end - start).total_seconds() / 86400), 2)
    return {"profile": profile, "mean": _mean(profile), "peak": max(profile.values()) if profile else None,
            "turnover": turnover_value, "arrivals": count, "honoured": honoured}


INDICATORS = [
    Indicator("smart_parking.mean_occupancy", _l("Mean parking occupancy"), "%", SERVICE_KEY, mean_occupancy,
              _l("Average over the hours of the day of the share of spots occupied.")),
    Indicator("smart_parking.peak_hour_occupancy", _l("Parking occupancy at the busiest hour"), "%", SERVICE_KEY,
              peak_hour_occupancy, _l("Occupancy rate of the busiest hour of the day, over the period.")),
    Indicator("smart_parking.turnover", _l("Parking turnover"), _l("arrivals per spot per day"), SERVICE_KEY,
              module_turnover, _l("Cars arriving on a spot, per spot and per day."), query=turnover_query),
    Indicator("smart_parking.reservations_honoured", _l("Reservations honoured"), "%", SERVICE_KEY,
              reservations_honoured, _l("Reservations starting in the period where the driver came, "
                                        "among those honoured or released as no-shows."),
              query=reservations_honoured_query),
]
