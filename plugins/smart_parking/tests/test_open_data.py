"""Parking data out: availability per lot (CSV, JSON) and the NGSI-LD API, validated against smart-data-models."""
import csv
import io
import json
import os
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from coopserv.plugin_api import configure_module, db, territory_scope, utcnow
from tests.helpers import text_of

from .conftest import build_lot

SCHEMAS = os.path.join(os.path.dirname(__file__), "schemas")
API = "/t/autun-morvan/ngsi-ld/v1"
COMMON = "https://smart-data-models.github.io/data-models/common-schema.json"


def load(name):
    with open(os.path.join(SCHEMAS, name), encoding="utf-8") as handle:
        return json.load(handle)


def validate(entity):
    """Check a simplified (keyValues) entity against its vendored smart-data-models schema."""
    registry = Registry().with_resource(COMMON, Resource.from_contents(load("common-schema.json")))
    validator = Draft202012Validator(load(f"{entity['type']}.schema.json"), registry=registry,
                                     format_checker=FormatChecker())
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(entity)]
    assert not errors, (entity["id"], errors)


def publish(autun, published=True):
    with territory_scope(autun.territory):
        configure_module(autun.module, {**(autun.module.config or {}), "publish_open_data": published})


@pytest.fixture
def parking(autun, lot):
    """The lot at Nexans (S-01 occupied, S-02 free, S-03 closed, the rest unknown), located, and published."""
    from coopserv_plugins.smart_parking.models import Lot, Spot

    seen = utcnow().replace(microsecond=0) - timedelta(minutes=3)
    with territory_scope(autun.territory):
        site = db.session.get(Lot, lot.lot_id)
        site.latitude, site.longitude, site.address = 46.9563, 4.2941, "Rue de Saint-Andoche, 71400 Autun"
        for ref, status in (("S-01", "occupied"), ("S-02", "free"), ("S-03", "closed"), ("C-01", "free")):
            spot = db.session.get(Spot, lot.spots[ref])
            spot.status, spot.status_observed_at = status, seen
        db.session.get(Spot, lot.spots["S-02"]).ngsi_id = "urn:ngsi-ld:ParkingSpot:autun:nexans:S-02"
        db.session.commit()
    publish(autun)
    return lot


def test_every_entity_validates_against_the_smart_data_models_schemas(client, autun, parking):
    response = client.get(f"{API}/entities?options=keyValues&limit=100")
    assert response.status_code == 200, response.get_data(as_text=True)
    entities = response.get_json()
    assert [entity["type"] for entity in entities] == ["OffStreetParking"] + ["ParkingSpot"] * 6
    for entity in entities:
        validate(entity)
    site = entities[0]
    assert (site["totalSpotNumber"], site["availableSpotNumber"], site["occupiedSpotNumber"]) == (6, 2, 1)
    assert site["occupancy"] == pytest.approx(1 / 3, abs=1e-3) and site["status"] == ["spacesAvailable"]
    spots = {entity["name"]: entity for entity in entities[1:]}
    assert spots["S-02"]["id"] == "urn:ngsi-ld:ParkingSpot:autun:nexans:S-02"
    assert spots["S-01"]["id"] == f"urn:ngsi-ld:ParkingSpot:autun-morvan:{parking.spots['S-01']}"
    assert spots["S-01"]["refParkingSite"] == site["id"] and spots["S-01"]["status"] == "occupied"
    assert spots["S-01"]["location"] == {"type": "Point", "coordinates": [4.2941, 46.9563]}


def test_normalized_and_concise_entities_say_the_same_as_key_values(client, autun, parking):
    simplified = client.get(f"{API}/entities?options=keyValues").get_json()
    normalized = client.get(f"{API}/entities").get_json()
    concise = client.get(f"{API}/entities?format=concise").get_json()
    for plain, full, short in zip(simplified, normalized, concise, strict=True):
        for name, attribute in full.items():
            if name in ("id", "type"):
                continue
            assert attribute["type"] in ("Property", "Relationship", "GeoProperty"), (name, attribute)
            value = attribute.get("value", attribute.get("object"))
            value = value["@value"] if isinstance(value, dict) and "@value" in value else value
            assert value == plain[name], name
            assert "type" not in short[name] or name == "location"
    spot = next(entity for entity in normalized if entity["type"] == "ParkingSpot")
    assert spot["status"]["observedAt"].endswith("Z") and spot["refParkingSite"]["type"] == "Relationship"


def test_context_is_linked_or_embedded_and_served_by_the_app(client, autun, parking):
    plain = client.get(f"{API}/entities?type=OffStreetParking")
    link = plain.headers["Link"]
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in link and "/ngsi-ld/v1/context.jsonld" in link
    assert plain.mimetype == "application/json" and "@context" not in plain.get_json()[0]
    linked = client.get(f"{API}/entities?type=OffStreetParking", headers={"Accept": "application/ld+json"})
    assert linked.mimetype == "application/ld+json"
    context_url = linked.get_json()[0]["@context"][0]
    context = client.get(context_url.replace("http://localhost", ""))
    assert context.status_code == 200
    terms = json.loads(context.get_data(as_text=True))["@context"]
    assert terms["availableSpotNumber"] == "https://smartdatamodels.org/dataModel.Parking/availableSpotNumber"


@pytest.mark.parametrize("query, names", [
    ('type=ParkingSpot&q=status=="free"', ["S-02", "C-01"]),
    ('type=ParkingSpot&q=status=="free","closed"', ["S-02", "S-03", "C-01"]),
    ('type=ParkingSpot&q=status!="unknown";status!="free"', ["S-01", "S-03"]),
    ("type=https://smartdatamodels.org/dataModel.Parking/ParkingSpot&id=urn:ngsi-ld:ParkingSpot:autun:nexans:S-02",
     ["S-02"]),
    ("q=availableSpotNumber>1", ["Parking Nexans Saint-Andoche"]),
    ("q=availableSpotNumber>5", []),
    ("type=Vehicle", []),
])
def test_queries_filter_by_type_id_and_q(client, autun, parking, query, names):
    response = client.get(f"{API}/entities?{query}&options=keyValues")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [entity["name"] for entity in response.get_json()] == names


def test_one_entity_by_id_and_clear_errors(client, autun, parking):
    spot_id = f"urn:ngsi-ld:ParkingSpot:autun-morvan:{parking.spots['S-01']}"
    one = client.get(f"{API}/entities/{spot_id}?options=keyValues")
    assert one.status_code == 200 and one.get_json()["status"] == "occupied"
    missing = client.get(f"{API}/entities/urn:ngsi-ld:ParkingSpot:autun-morvan:999999")
    assert missing.status_code == 404 and missing.get_json()["type"].endswith("ResourceNotFound")
    for query in ("limit=5000", "offset=-1", "q=status~=free", "q=status==free|status==closed", "georel=near"):
        bad = client.get(f"{API}/entities?{query}")
        assert bad.status_code == 400, query
        assert bad.get_json()["type"].endswith("BadRequestData") and bad.get_json()["detail"]


def test_pages_follow_each_other_through_lots_and_spots(client, autun, parking):
    seen, url, pages = [], f"{API}/entities?limit=3&count=true&options=keyValues", 0
    while url:
        response = client.get(url)
        assert response.headers["NGSILD-Results-Count"] == "7"
        seen += [entity["id"] for entity in response.get_json()]
        nexts = [link for link in response.headers.get_all("Link") if 'rel="next"' in link]
        url = nexts[0].split(">")[0].lstrip("<").replace("http://localhost", "") if nexts else None
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 7


def test_a_page_costs_the_same_whatever_the_number_of_spots(client, autun, parking, count_queries):
    from coopserv_plugins.smart_parking.models import Spot

    def cost():
        with count_queries() as statements:
            assert client.get(f"{API}/entities?limit=20").status_code == 200
        return len(statements)

    few = cost()
    with territory_scope(autun.territory):
        db.session.add_all([Spot(lot_id=parking.lot_id, ref=f"X-{n:03d}") for n in range(200)])
        db.session.commit()
    assert cost() == few


def test_availability_per_lot_as_csv_and_json(client, autun, parking):
    other = build_lot(autun.territory, name="Parking visiteurs", standard=2, carpool=0)
    data = client.get("/t/autun-morvan/smart-parking/open-data/availability.json").get_json()
    lots = {lot["name"]: lot for lot in data["lots"]}
    nexans = lots["Parking Nexans Saint-Andoche"]
    assert (nexans["totalSpotNumber"], nexans["availableSpotNumber"], nexans["occupiedSpotNumber"],
            nexans["closedSpotNumber"], nexans["unknownSpotNumber"]) == (6, 2, 1, 1, 2)
    assert lots["Parking visiteurs"]["id"] == f"urn:ngsi-ld:OffStreetParking:autun-morvan:{other.lot_id}"
    response = client.get("/t/autun-morvan/smart-parking/open-data/availability.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["name"] for row in rows] == ["Parking Nexans Saint-Andoche", "Parking visiteurs"]
    assert rows[0]["availableSpotNumber"] == "2" and rows[0]["latitude"] == "46.9563"


def test_nothing_is_published_unless_the_territory_says_so(client, autun, parking, figeac):
    publish(autun, published=False)
    for path in ("/t/autun-morvan/ngsi-ld/v1/entities", "/t/autun-morvan/ngsi-ld/v1/context.jsonld",
                 "/t/autun-morvan/smart-parking/open-data/availability.csv",
                 "/t/autun-morvan/smart-parking/open-data/availability.json"):
        assert client.get(path).status_code == 404, path
    assert "ngsi-ld" not in text_of(client.get("/t/autun-morvan/open-data/"))
    publish(autun)
    page = text_of(client.get("/t/autun-morvan/open-data/"))
    assert 'href="/t/autun-morvan/ngsi-ld/v1/entities"' in page and "availability.csv" in page
    # Figeac publishes too and shows none of Autun's car parks.
    with territory_scope(figeac.territory):
        configure_module(figeac.module, {"publish_open_data": True})
    assert client.get("/t/figeac/ngsi-ld/v1/entities").get_json() == []
