"""The shuttle's timetable as a GTFS static feed (a zip of CSV files), for journey planners.

The territory is the agency; each business park and each departure point is a
stop; each (departure point, park) pair is a route; each run is a trip with two
stop times. Runs are dated, so each day with runs is a service of its own in
calendar.txt (that weekday only, from that day to that day). Times are local to
the agency's time zone and may pass 24:00 after midnight, as GTFS wants. Runs
whose departure point has no coordinates are left out: a stop needs a place.
"""
import csv
import hashlib
import io
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.plugin_api import db

from .models import ShuttleRun

#: How far ahead the timetable goes.
HORIZON = timedelta(days=90)
#: Bus (route_type 3): an on-demand shuttle on the road.
ROUTE_TYPE_BUS = 3


def _origin_stop_id(run):
    """A stable id for a departure point: the same name at the same place is the same stop."""
    place = f"{run.origin}|{run.origin_latitude:.5f}|{run.origin_longitude:.5f}"
    return "origin-" + hashlib.blake2s(place.encode("utf-8"), digest_size=6).hexdigest()


def _clock(start_of_day, moment):
    """Seconds since the service day's midnight as HH:MM:SS (hours may pass 24)."""
    seconds = int((moment - start_of_day).total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def runs_in_feed(now, timezone):
    """Runs from the start of today (local) up to the horizon that have a located departure point."""
    utc = ZoneInfo("UTC")
    local_midnight = now.replace(tzinfo=utc).astimezone(ZoneInfo(timezone)).replace(hour=0, minute=0, second=0,
                                                                                    microsecond=0)
    start = local_midnight.astimezone(utc).replace(tzinfo=None)
    return db.session.scalars(
        select(ShuttleRun).where(ShuttleRun.departs_at >= min(start, now), ShuttleRun.departs_at < now + HORIZON,
                                 ShuttleRun.origin_latitude.is_not(None), ShuttleRun.origin_longitude.is_not(None))
        .options(selectinload(ShuttleRun.business_park)).order_by(ShuttleRun.departs_at, ShuttleRun.id)
    ).all()


def tables(territory, now, timezone, portal_url, language="fr"):
    """The feed's files as {file name: (header, rows)}."""
    zone, utc = ZoneInfo(timezone), ZoneInfo("UTC")
    agency_id = f"coopserv-{territory.slug}"
    stops, routes, trips, stop_times, services = {}, {}, [], [], {}
    runs = runs_in_feed(now, timezone)
    for run in runs:
        park = run.business_park
        origin_id, park_id = _origin_stop_id(run), f"park-{park.id}"
        stops[origin_id] = (origin_id, run.origin, f"{run.origin_latitude:.6f}", f"{run.origin_longitude:.6f}", 0)
        stops[park_id] = (park_id, park.name, f"{park.latitude:.6f}", f"{park.longitude:.6f}", 0)
        route_id = f"{origin_id}-{park_id}"
        routes[route_id] = (route_id, agency_id, "", f"{run.origin} → {park.name}", ROUTE_TYPE_BUS)
        departure = run.departs_at.replace(tzinfo=utc).astimezone(zone)
        day = departure.date()
        service_id = f"day-{day:%Y%m%d}"
        services[service_id] = (service_id, *(int(day.weekday() == weekday) for weekday in range(7)),
                                f"{day:%Y%m%d}", f"{day:%Y%m%d}")
        trip_id = f"run-{run.id}"
        trips.append((route_id, service_id, trip_id, park.name))
        midnight = departure.replace(hour=0, minute=0, second=0, microsecond=0)
        arrival = departure + timedelta(minutes=run.duration_minutes)
        stop_times.append((trip_id, _clock(midnight, departure), _clock(midnight, departure), origin_id, 1, 1))
        stop_times.append((trip_id, _clock(midnight, arrival), _clock(midnight, arrival), park_id, 2, 1))
    days = sorted(service[-2] for service in services.values())
    today = now.replace(tzinfo=utc).astimezone(zone).date()
    return {
        "agency.txt": (("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"),
                       [(agency_id, territory.name, portal_url, timezone, language)]),
        "stops.txt": (("stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"), sorted(stops.values())),
        "routes.txt": (("route_id", "agency_id", "route_short_name", "route_long_name", "route_type"),
                       sorted(routes.values())),
        "trips.txt": (("route_id", "service_id", "trip_id", "trip_headsign"), trips),
        "stop_times.txt": (("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence", "timepoint"),
                           stop_times),
        "calendar.txt": (("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                          "start_date", "end_date"), sorted(services.values())),
        "feed_info.txt": (("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
                           "feed_end_date", "feed_version"),
                          [(territory.name, portal_url, language, days[0] if days else f"{today:%Y%m%d}",
                            days[-1] if days else f"{today:%Y%m%d}", f"{now:%Y%m%d%H%M}")]),
    }


def feed_zip(territory, now, timezone, portal_url, language="fr"):
    """The GTFS zip as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in tables(territory, now, timezone, portal_url, language).items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
            archive.writestr(name, text.getvalue().encode("utf-8"))
    return buffer.getvalue()
