"""NGSI-LD idPattern and geo-queries (ETSI GS CIM 009, clause 4.10) on the territory's car parks and spots."""
import json
from urllib.parse import quote

import pytest

from coopserv.plugin_api import configure_module, db, territory_scope

from .conftest import build_lot

API = "/t/autun-morvan/ngsi-ld/v1/entities"
#: Where the Nexans car park stands (longitude, latitude, GeoJSON order).
NEXANS = (4.2941, 46.9563)
#: About 111,195 m per degree of latitude: these offsets put spots 300 m and 2 km north of the car park.
NORTH_300_M, NORTH_2_KM = 0.0027, 0.018


def publish(town):
    with territory_scope(town.territory):
        configure_module(town.module, {**(town.module.config or {}), "publish_open_data": True})


@pytest.fixture
def located(autun, lot):
    """Nexans located; S-01 300 m north, S-02 2 km north (own NGSI id), the others at the car park's point.

    A second car park, "Parking visiteurs", has no coordinates at all, nor do its spots.
    """
    from coopserv_plugins.smart_parking.models import Lot, Spot

    visitors = build_lot(autun.territory, name="Parking visiteurs", standard=2, carpool=0)
    with territory_scope(autun.territory):
        site = db.session.get(Lot, lot.lot_id)
        site.longitude, site.latitude = NEXANS
        near = db.session.get(Spot, lot.spots["S-01"])
        near.longitude, near.latitude = NEXANS[0], NEXANS[1] + NORTH_300_M
        far = db.session.get(Spot, lot.spots["S-02"])
        far.longitude, far.latitude = NEXANS[0], NEXANS[1] + NORTH_2_KM
        far.ngsi_id = "urn:ngsi-ld:ParkingSpot:autun:nexans:S-02"
        db.session.commit()
    publish(autun)
    return lot, visitors


def names(client, query):
    response = client.get(f"{API}?{query}&options=keyValues&limit=100")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [entity["name"] for entity in response.get_json()]


def near(metres, kind="maxDistance", point=NEXANS):
    return f"georel=near;{kind}=={metres}&geometry=Point&coordinates={quote(json.dumps(list(point)))}"


def square(west, south, east, north):
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def polygon(*rings, relation="within"):
    return f"georel={relation}&geometry=Polygon&coordinates={quote(json.dumps(list(rings)))}"


AT_THE_CAR_PARK = ["S-03", "S-04", "C-01", "C-02"]


def test_near_max_distance_keeps_what_stands_close_and_leaves_out_what_has_no_location(client, located):
    assert names(client, "type=ParkingSpot&" + near(500)) == ["S-01", *AT_THE_CAR_PARK]
    assert names(client, "type=ParkingSpot&" + near(2100)) == ["S-01", "S-02", *AT_THE_CAR_PARK]
    assert names(client, "type=ParkingSpot&" + near(250)) == AT_THE_CAR_PARK
    # The car park (filtered in Python) answers like its spots standing on its point (filtered in SQL).
    assert names(client, "type=OffStreetParking&" + near(250)) == ["Parking Nexans Saint-Andoche"]
    assert names(client, "type=OffStreetParking&" + near(10, point=(4.30, 46.96))) == []


def test_near_min_distance_and_both_bounds(client, located):
    assert names(client, "type=ParkingSpot&" + near(1000, "minDistance")) == ["S-02"]
    both = "georel=near;minDistance==100;maxDistance==1000&geometry=Point&coordinates=[4.2941,46.9563]"
    assert names(client, "type=ParkingSpot&" + both) == ["S-01"]


def test_within_a_polygon_and_its_holes(client, located):
    around_far = square(4.29, 46.97, 4.30, 46.98)
    assert names(client, polygon(around_far)) == ["S-02"]
    everything = square(4.28, 46.95, 4.31, 46.98)
    hole = square(4.2940, 46.9562, 4.2942, 46.9564)  # the car park's own point
    assert names(client, polygon(everything)) == ["Parking Nexans Saint-Andoche", "S-01", "S-02",
                                                  *AT_THE_CAR_PARK]
    assert names(client, polygon(everything, hole)) == ["S-01", "S-02"]
    triangle = [[4.28, 46.95], [4.31, 46.95], [4.2941, 46.9575], [4.28, 46.95]]  # tip between the lot and S-01
    assert names(client, f"type=ParkingSpot&{polygon(triangle)}") == AT_THE_CAR_PARK
    multi = json.dumps([[around_far], [hole]])
    assert names(client, f"type=ParkingSpot&georel=within&geometry=MultiPolygon&coordinates={quote(multi)}") == \
        ["S-02", *AT_THE_CAR_PARK]


def test_intersects_a_point_or_a_polygon(client, located):
    point = quote(json.dumps([NEXANS[0], NEXANS[1] + NORTH_2_KM]))
    assert names(client, f"georel=intersects&geometry=Point&coordinates={point}") == ["S-02"]
    assert names(client, polygon(square(4.29, 46.97, 4.30, 46.98), relation="intersects")) == ["S-02"]


def test_geo_queries_combine_with_q_id_pattern_and_pagination(client, located):
    assert names(client, f'type=ParkingSpot&q=status=="unknown"&idPattern=autun-morvan&{near(500)}') == \
        ["S-01", *AT_THE_CAR_PARK]
    seen, url = [], f"{API}?type=ParkingSpot&{near(2100)}&limit=2&count=true"
    while url:
        response = client.get(url)
        assert response.headers["NGSILD-Results-Count"] == "6"
        seen += [entity["id"] for entity in response.get_json()]
        nexts = [link for link in response.headers.get_all("Link") if 'rel="next"' in link]
        url = nexts[0].split(">")[0].lstrip("<").replace("http://localhost", "") if nexts else None
    assert len(seen) == len(set(seen)) == 6


def test_entities_without_coordinates_have_no_location_and_never_match(client, located):
    everything = client.get(f"{API}?options=keyValues&limit=100").get_json()
    visitor_ids = {f"urn:ngsi-ld:ParkingSpot:autun-morvan:{spot_id}" for spot_id in located[1].spots.values()}
    unlocated = [entity for entity in everything
                 if entity["name"] == "Parking visiteurs" or entity["id"] in visitor_ids]
    assert len(unlocated) == 3 and all("location" not in entity for entity in unlocated)
    assert all("location" in entity for entity in everything if entity not in unlocated)
    whole_world = polygon(square(-180, -90, 180, 90))
    assert names(client, whole_world) == ["Parking Nexans Saint-Andoche", "S-01", "S-02", *AT_THE_CAR_PARK]
    assert names(client, near(1, "minDistance")) == ["S-01", "S-02"]


def test_a_geo_query_does_not_reach_another_territory(client, located, figeac):
    from coopserv_plugins.smart_parking.models import Lot

    other = build_lot(figeac.territory, name="Parking Figeac Aéro", standard=2, carpool=0)
    with territory_scope(figeac.territory):
        site = db.session.get(Lot, other.lot_id)
        site.longitude, site.latitude = NEXANS
        db.session.commit()
    publish(figeac)
    assert "Parking Figeac Aéro" not in names(client, near(10))
    assert len(client.get(f"/t/figeac/ngsi-ld/v1/entities?{near(10)}").get_json()) == 3


def test_id_pattern_is_searched_in_lots_and_spots_ids(client, located):
    assert names(client, "idPattern=" + quote("^urn:ngsi-ld:ParkingSpot:autun:")) == ["S-02"]
    assert names(client, "idPattern=OffStreetParking") == ["Parking Nexans Saint-Andoche", "Parking visiteurs"]
    own_id = located[0].spots["S-03"]
    assert names(client, "idPattern=" + quote(f"ParkingSpot:autun-morvan:{own_id}$")) == ["S-03"]
    # A pattern that makes backtracking engines explode runs in linear time with RE2 (and in PostgreSQL).
    assert names(client, "idPattern=" + quote("^(a+)+$")) == []


def test_a_geo_page_costs_the_same_whatever_the_number_of_spots(client, autun, located, count_queries):
    from coopserv_plugins.smart_parking.models import Spot

    def cost():
        with count_queries() as statements:
            assert client.get(f"{API}?{near(500)}&idPattern=ParkingSpot&limit=20&count=true").status_code == 200
        return len(statements)

    few = cost()
    with territory_scope(autun.territory):
        db.session.add_all([Spot(lot_id=located[0].lot_id, ref=f"X-{n:03d}") for n in range(200)])
        db.session.commit()
    assert cost() == few


@pytest.mark.parametrize("query", [
    "georel=near&geometry=Point&coordinates=[4.29,46.95]",
    "georel=near;maxDistance==-5&geometry=Point&coordinates=[4.29,46.95]",
    "georel=near;maxDistance==abc&geometry=Point&coordinates=[4.29,46.95]",
    "georel=near;maxDistance:500&geometry=Point&coordinates=[4.29,46.95]",
    "georel=near;maxDistance==500&geometry=Polygon&coordinates=[4.29,46.95]",
    "georel=near;maxDistance==500&geometry=Point",
    "georel=near;maxDistance==500&geometry=Point&coordinates=4.29,46.95",
    "georel=near;maxDistance==500&geometry=Point&coordinates=[46.95,200]",
    "georel=within&geometry=Polygon&coordinates=[[[4.2,46.9],[4.3,46.9],[4.2,46.9]]]",
    "georel=within&geometry=Polygon&coordinates=[[[4.2,46.9],[4.3,46.9],[4.3,47.0],[4.2,47.1]]]",
    "georel=within&geometry=Point&coordinates=[4.29,46.95]",
    "georel=contains&geometry=Point&coordinates=[4.29,46.95]",
    "geometry=Point&coordinates=[4.29,46.95]",
    "georel=within&geometry=Polygon&coordinates=" + quote(json.dumps([[[4 + n / 1000, 46.9] for n in range(300)]
                                                                         + [[4, 46.9]]])),
    "idPattern=" + quote("(a)\\1"),
    "idPattern=" + quote("(?=urn)"),
    "idPattern=" + quote("["),
    "idPattern=" + "x" * 300,
])
def test_bad_geo_queries_and_patterns_get_bad_request_data(client, located, query):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400, (query, response.get_data(as_text=True))
    body = response.get_json()
    assert body["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData" and body["detail"], body
