"""Open mobility feeds: GBFS 2.3 validated against the official schemas, GTFS read back by a GTFS reader."""
import csv
import io
import json
import os
import zipfile
from datetime import datetime, time, timedelta

import pytest
from jsonschema import Draft7Validator, FormatChecker

from coopserv.plugin_api import combine, configure_module, db, local_date_of, territory_scope, utcnow

from tests.helpers import text_of

SCHEMAS = os.path.join(os.path.dirname(__file__), "schemas", "gbfs-v2.3")
BASE = "/t/ouest-rhodanien/mobility/feeds"


def validate(document, feed):
    with open(os.path.join(SCHEMAS, f"{feed}.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    errors = sorted(Draft7Validator(schema, format_checker=FormatChecker()).iter_errors(document),
                    key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]


def publish(territory, module, **config):
    with territory_scope(territory):
        configure_module(module, {**(module.config or {}), "publish_open_data": True, **config})


@pytest.fixture
def fleet(ouest):
    """Ouest Rhodanien publishes: an e-bike pool at ZA des Pins (one bike booked now), a bike pool at Tuburon,
    shuttle runs from Tarare station (located) and one from a place without coordinates."""
    from coopserv_plugins.mobility.models import BikeBooking, BikePool, ShuttleRun

    publish(ouest.territory, ouest.module)
    now = utcnow().replace(second=0, microsecond=0)
    with territory_scope(ouest.territory):
        ebikes = BikePool(business_park_id=ouest.pins.id, name="Vélos de la ZA des Pins", kind="ebike", bikes=4)
        bikes = BikePool(business_park_id=ouest.tuburon.id, name="Vélos du Tuburon", kind="bike", bikes=2)
        db.session.add_all([ebikes, bikes])
        db.session.flush()
        db.session.add_all([
            BikeBooking(pool_id=ebikes.id, user_id=ouest.driver.id, starts_at=now - timedelta(hours=1),
                        ends_at=now + timedelta(hours=1)),
            BikeBooking(pool_id=ebikes.id, user_id=ouest.passenger.id, starts_at=now + timedelta(days=1),
                        ends_at=now + timedelta(days=1, hours=2)),
        ])
        tomorrow = (now + timedelta(days=1)).replace(hour=6, minute=50)
        runs = [ShuttleRun(business_park_id=ouest.tuburon.id, origin="Gare de Tarare", origin_latitude=45.8932,
                           origin_longitude=4.4329, departs_at=tomorrow + timedelta(days=day, hours=hour),
                           duration_minutes=25, seats=8) for day in (0, 1) for hour in (0, 1)]
        # 23:50 on the territory's clock (Europe/Paris), stored in UTC.
        late_day = local_date_of(tomorrow, ouest.territory)
        late = ShuttleRun(business_park_id=ouest.pins.id, origin="Gare de Tarare", origin_latitude=45.8932,
                          origin_longitude=4.4329, departs_at=combine(late_day, time(23, 50), ouest.territory),
                          duration_minutes=20, seats=8)
        nowhere = ShuttleRun(business_park_id=ouest.pins.id, origin="Parking du stade", departs_at=tomorrow,
                             seats=8)
        db.session.add_all([*runs, late, nowhere])
        db.session.commit()
        return type("Fleet", (), {"ebikes": ebikes.id, "bikes": bikes.id, "runs": [run.id for run in runs],
                                  "late": late.id, "nowhere": nowhere.id})


def test_gbfs_files_validate_against_the_official_schemas(client, ouest, fleet):
    discovery = client.get(f"{BASE}/gbfs/gbfs.json")
    assert discovery.status_code == 200
    validate(discovery.get_json(), "gbfs")
    feeds = {feed["name"]: feed["url"] for feed in discovery.get_json()["data"]["fr"]["feeds"]}
    assert set(feeds) == {"system_information", "vehicle_types", "station_information", "station_status"}
    documents = {}
    for name, url in feeds.items():
        response = client.get(url)
        assert response.status_code == 200, url
        validate(response.get_json(), name)
        documents[name] = response.get_json()["data"]
    assert documents["system_information"]["name"].startswith("Ouest Rhodanien")
    assert {kind["vehicle_type_id"]: kind["propulsion_type"] for kind in documents["vehicle_types"]["vehicle_types"]} \
        == {"bike": "human", "ebike": "electric_assist"}
    stations = {station["station_id"]: station for station in documents["station_information"]["stations"]}
    assert stations[f"pool-{fleet.ebikes}"]["capacity"] == 4
    assert (stations[f"pool-{fleet.ebikes}"]["lat"], stations[f"pool-{fleet.ebikes}"]["lon"]) == (45.9030, 4.4180)
    status = {station["station_id"]: station for station in documents["station_status"]["stations"]}
    ebikes = status[f"pool-{fleet.ebikes}"]
    # One e-bike is out for a booking that covers now; tomorrow's booking does not count yet.
    assert (ebikes["num_bikes_available"], ebikes["num_docks_available"]) == (3, 1)
    assert ebikes["vehicle_types_available"] == [{"vehicle_type_id": "ebike", "count": 3}]
    assert status[f"pool-{fleet.bikes}"]["num_bikes_available"] == 2


def read_zip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
                for name in archive.namelist()}


#: Fields GTFS Schedule requires in each file we publish (gtfs.org/schedule/reference).
REQUIRED = {
    "agency.txt": {"agency_name", "agency_url", "agency_timezone"},
    "stops.txt": {"stop_id", "stop_name", "stop_lat", "stop_lon"},
    "routes.txt": {"route_id", "route_type"},
    "trips.txt": {"route_id", "service_id", "trip_id"},
    "stop_times.txt": {"trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"},
    "calendar.txt": {"service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                     "start_date", "end_date"},
}


@pytest.mark.filterwarnings("ignore:.*declarative_base:DeprecationWarning")  # inside pygtfs
def test_gtfs_zip_has_every_required_field_and_reads_back_with_a_gtfs_reader(client, ouest, fleet, tmp_path):
    import pygtfs

    response = client.get(f"{BASE}/gtfs.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    tables = read_zip(response.data)
    for name, fields in REQUIRED.items():
        assert tables[name], name
        for row in tables[name]:
            assert all(row.get(field) not in (None, "") for field in fields), (name, row)
        assert all(row["route_short_name"] or row["route_long_name"] for row in tables["routes.txt"])
    trips = {row["trip_id"] for row in tables["trips.txt"]}
    assert trips == {f"run-{run}" for run in [*fleet.runs, fleet.late]}  # the run without a located stop is left out
    stop_times = {(row["trip_id"], row["stop_sequence"]): row for row in tables["stop_times.txt"]}
    late = (stop_times[(f"run-{fleet.late}", "1")], stop_times[(f"run-{fleet.late}", "2")])
    assert (late[0]["departure_time"], late[1]["arrival_time"]) == ("23:50:00", "24:10:00")  # past midnight

    path = tmp_path / "shuttle.zip"
    path.write_bytes(response.data)
    schedule = pygtfs.Schedule(":memory:")
    pygtfs.append_feed(schedule, str(path))
    assert [agency.agency_name for agency in schedule.agencies] == ["Ouest Rhodanien"]
    assert len(schedule.trips) == 5 and len(schedule.stop_times) == 10
    assert {stop.stop_name for stop in schedule.stops} == {"Gare de Tarare", "ZA du Tuburon", "ZA des Pins"}
    first = min(fleet.runs)
    times = sorted((stop_time.stop_sequence, stop_time.departure_time) for stop_time in schedule.stop_times
                   if stop_time.trip_id == f"run-{first}")
    assert times[1][1] - times[0][1] == timedelta(minutes=25)
    services = {service.service_id: service for service in schedule.services}
    trip = next(trip for trip in schedule.trips if trip.trip_id == f"run-{first}")
    service = services[trip.service_id]
    day = service.start_date
    assert service.end_date == day and getattr(service, day.strftime("%A").lower()) is True
    assert sum(getattr(service, name) for name in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                                   "saturday", "sunday")) == 1


def test_feeds_carry_the_territory_time_zone_and_its_wall_clock(client, ouest, fleet):
    """A territory in Cayenne publishes Cayenne's zone, and departures as its clock shows them (not UTC's)."""
    from coopserv_plugins.mobility.models import ShuttleRun

    with territory_scope(ouest.territory):
        ouest.territory.timezone = "America/Cayenne"
        run = db.session.get(ShuttleRun, min(fleet.runs))
        day = local_date_of(run.departs_at, ouest.territory)
        run.departs_at = combine(day, time(7, 10), ouest.territory)  # 10:10 UTC
        db.session.commit()
    system = client.get(f"{BASE}/gbfs/system_information.json").get_json()["data"]
    assert system["timezone"] == "America/Cayenne"
    tables = read_zip(client.get(f"{BASE}/gtfs.zip").data)
    assert [row["agency_timezone"] for row in tables["agency.txt"]] == ["America/Cayenne"]
    first = next(row for row in tables["stop_times.txt"]
                 if row["trip_id"] == f"run-{min(fleet.runs)}" and row["stop_sequence"] == "1")
    assert first["departure_time"] == "07:10:00"
    dates = {row["service_id"]: row["start_date"] for row in tables["calendar.txt"]}
    trip = next(row for row in tables["trips.txt"] if row["trip_id"] == f"run-{min(fleet.runs)}")
    assert dates[trip["service_id"]] == day.strftime("%Y%m%d")


def test_feeds_exist_only_when_the_territory_publishes_them(client, ouest, fleet, figeac):
    publish(ouest.territory, ouest.module, publish_open_data=False)
    assert client.get(f"{BASE}/gbfs/gbfs.json").status_code == 404
    assert client.get(f"{BASE}/gtfs.zip").status_code == 404
    publish(ouest.territory, ouest.module, shuttle_enabled=False)
    assert client.get(f"{BASE}/gtfs.zip").status_code == 404
    assert client.get(f"{BASE}/gbfs/gbfs.json").status_code == 200
    assert client.get(f"{BASE}/gbfs/free_bike_status.json").status_code == 404
    # Figeac publishes too, and sees none of Ouest Rhodanien's pools.
    publish(figeac.territory, figeac.module)
    stations = client.get("/t/figeac/mobility/feeds/gbfs/station_information.json").get_json()["data"]["stations"]
    assert stations == []


def test_the_open_data_page_links_the_published_feeds(client, ouest, fleet):
    page = text_of(client.get("/t/ouest-rhodanien/open-data/"))
    assert f'href="{BASE}/gbfs/gbfs.json"' in page and f'href="{BASE}/gtfs.zip"' in page
    publish(ouest.territory, ouest.module, publish_open_data=False)
    assert "gtfs.zip" not in text_of(client.get("/t/ouest-rhodanien/open-data/"))


def test_operators_give_the_departure_stop_and_duration_of_a_run(people, ouest):
    from coopserv_plugins.mobility.models import ShuttleRun

    fields = {"business_park_id": str(ouest.pins.id), "origin": "Gare d'Amplepuis", "departs_at": "2030-03-04T07:10",
              "seats": "8", "origin_latitude": "45.97", "duration_minutes": "35"}
    refused = people.operator.post_form("/t/ouest-rhodanien/mobility/manage/shuttle_run", fields)
    assert refused.status_code == 422 and "origin_longitude" in refused.get_data(as_text=True)
    saved = people.operator.post_form("/t/ouest-rhodanien/mobility/manage/shuttle_run",
                                      dict(fields, origin_longitude="4.33"))
    assert saved.status_code == 302
    with territory_scope(ouest.territory):
        run = db.session.query(ShuttleRun).one()
        assert (run.origin_latitude, run.origin_longitude, run.duration_minutes) == (45.97, 4.33, 35)
        assert run.departs_at == datetime(2030, 3, 4, 6, 10)  # 7:10 in Paris in winter is 6:10 UTC
