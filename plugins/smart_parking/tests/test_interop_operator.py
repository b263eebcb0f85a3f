"""Operators wire other systems in: spots' NGSI and sensor ids (form and import), Orion subscriptions, MQTT mappings."""
import io
import re

import pytest
from coopserv_plugins.smart_parking.models import MqttMapping, NgsiSubscription, Spot

from coopserv.plugin_api import db, territory_scope
from tests.helpers import text_of

from .conftest import count

MANAGE = "/t/autun-morvan/smart-parking/lots/{lot}/manage"


@pytest.fixture
def operator(make_client, autun):
    client = make_client()
    client.login(autun.operator)
    return client


def spot(spot_id):
    db.session.expire_all()
    return db.session.get(Spot, spot_id)


def test_a_spot_gets_its_ngsi_id_and_sensor_identifier_and_they_stay_unique(operator, autun, lot):
    edit = f"/t/autun-morvan/smart-parking/spots/{lot.spots['S-01']}/edit"
    fields = {"ref": "S-01", "category": "standard", "device_id": str(lot.device_id),
              "ngsi_id": "urn:ngsi-ld:ParkingSpot:autun:S-01", "sensor_id": "70B3D57ED0051A2C"}
    assert operator.post_form(edit, fields).status_code == 302
    with territory_scope(autun.territory):
        saved = spot(lot.spots["S-01"])
        assert (saved.ngsi_id, saved.sensor_id) == ("urn:ngsi-ld:ParkingSpot:autun:S-01", "70B3D57ED0051A2C")
    assert "urn:ngsi-ld:ParkingSpot:autun:S-01" in text_of(operator.get(edit))
    other = f"/t/autun-morvan/smart-parking/spots/{lot.spots['S-02']}/edit"
    taken = operator.post_form(other, dict(fields, ref="S-02"))
    assert taken.status_code == 422
    page = text_of(taken)
    assert 'id="ngsi_id-error"' in page and 'id="sensor_id-error"' in page and "S-01" in page
    shouting = operator.post_form(other, dict(fields, ref="S-02", ngsi_id="", sensor_id="70b3d57ed0051a2c"))
    assert shouting.status_code == 422 and 'id="sensor_id-error"' in text_of(shouting)  # same DevEUI, other case
    spaced = operator.post_form(other, dict(fields, ref="S-02", ngsi_id="not an id", sensor_id=""))
    assert spaced.status_code == 422 and 'id="ngsi_id-error"' in text_of(spaced)
    # Blank fields clear them.
    assert operator.post_form(edit, dict(fields, ngsi_id="", sensor_id="")).status_code == 302
    with territory_scope(autun.territory):
        assert (spot(lot.spots["S-01"]).ngsi_id, spot(lot.spots["S-01"]).sensor_id) == (None, None)


def test_a_car_park_gets_its_ngsi_id_unique_in_the_territory(operator, autun, lot):
    from coopserv_plugins.smart_parking.models import Lot

    from .conftest import build_lot

    other = build_lot(autun.territory, name="Parking visiteurs", standard=1, carpool=0)
    fields = {"name": "Parking Nexans Saint-Andoche", "category": "forEmployees",
              "ngsi_id": "urn:ngsi-ld:OffStreetParking:autun:nexans"}
    assert operator.post_form(MANAGE.format(lot=lot.lot_id) + "/lot", fields).status_code == 302
    assert "urn:ngsi-ld:OffStreetParking:autun:nexans" in text_of(operator.get(MANAGE.format(lot=lot.lot_id)))
    taken = operator.post_form(MANAGE.format(lot=other.lot_id) + "/lot", dict(fields, name="Parking visiteurs"))
    assert taken.status_code == 422 and 'id="ngsi_id-error"' in text_of(taken)
    spaced = operator.post_form(MANAGE.format(lot=other.lot_id) + "/lot",
                                dict(fields, name="Parking visiteurs", ngsi_id="two words"))
    assert spaced.status_code == 422 and 'id="ngsi_id-error"' in text_of(spaced)
    with territory_scope(autun.territory):
        db.session.expire_all()
        assert db.session.get(Lot, other.lot_id).ngsi_id is None
        assert db.session.get(Lot, lot.lot_id).ngsi_id == "urn:ngsi-ld:OffStreetParking:autun:nexans"
    # Published under it: the car park and its spots' refParkingSite.
    from .test_open_data import publish

    publish(autun)
    entities = operator.get("/t/autun-morvan/ngsi-ld/v1/entities?options=keyValues&limit=100").get_json()
    ours = [item for item in entities if item.get("refParkingSite") == "urn:ngsi-ld:OffStreetParking:autun:nexans"]
    assert "urn:ngsi-ld:OffStreetParking:autun:nexans" in [item["id"] for item in entities] and len(ours) == 6


def upload(client, lot, content, encoding="utf-8"):
    return client.post_form(MANAGE.format(lot=lot.lot_id) + "/spot_ids",
                            {"file": (io.BytesIO(content.encode(encoding)), "ids.csv")},
                            content_type="multipart/form-data")


def test_spot_ids_import_from_a_french_spreadsheet_all_or_nothing(operator, autun, lot):
    good = "ref;ngsi_id;sensor_id\nS-01;urn:ngsi-ld:ParkingSpot:autun:S-01;eui-01\nS-02;;eui-02\n"
    assert upload(operator, lot, good, "cp1252").status_code == 302
    with territory_scope(autun.territory):
        assert spot(lot.spots["S-01"]).ngsi_id == "urn:ngsi-ld:ParkingSpot:autun:S-01"
        assert (spot(lot.spots["S-02"]).ngsi_id, spot(lot.spots["S-02"]).sensor_id) == (None, "eui-02")
    bad = "ref,sensor_id\nS-03,eui-03\nZ-99,eui-99\nS-04,eui-01\nC-01,eui-03\n"
    response = upload(operator, lot, bad)
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(r"(Line|Ligne) 2", page) and "Z-99" in page  # no such spot
    assert re.search(r"(Line|Ligne) 3", page)  # S-01 already has eui-01
    assert re.search(r"(Line|Ligne) 4", page)  # eui-03 twice in the file
    with territory_scope(autun.territory):
        assert spot(lot.spots["S-03"]).sensor_id is None  # nothing half-stored
    unreadable = upload(operator, lot, "ref,sensor_id\nS-03,has space\n")
    assert unreadable.status_code == 422 and re.search(r"(Line|Ligne) 1", text_of(unreadable))
    assert upload(operator, lot, "name,colour\nA,blue\n").status_code == 422


def test_spot_ids_import_as_json(operator, autun, lot):
    url = MANAGE.format(lot=lot.lot_id) + "/spot_ids"
    response = operator.post_json(url, {"spots": [{"ref": "S-03", "ngsi_id": "urn:ngsi-ld:ParkingSpot:x:3"}]})
    assert response.status_code == 200 and response.get_json() == {"changed": 1}
    refused = operator.post_json(url, {"spots": [{"ngsi_id": "urn:x"}]})
    assert refused.status_code == 422 and "ref" in str(refused.get_json()["errors"])


def test_an_orion_subscription_shows_its_key_once_and_works_until_deleted(operator, client, autun, lot):
    response = operator.post_form(MANAGE.format(lot=lot.lot_id) + "/subscription",
                                  {"name": "Orion Autun", "fiware_service": "Autun",
                                   "fiware_service_path": "/parking/#"})
    assert response.status_code == 200
    key = re.search(r"<code>(ngsi_[\w-]+)</code>", response.get_data(as_text=True)).group(1)
    assert key not in text_of(operator.get(MANAGE.format(lot=lot.lot_id)))
    with territory_scope(autun.territory):
        subscription = db.session.query(NgsiSubscription).one()
        assert (subscription.fiware_service, subscription.lot_id) == ("autun", lot.lot_id)
    headers = {"X-Subscription-Key": key, "Fiware-Service": "autun", "Fiware-ServicePath": "/parking/x"}
    body = {"subscriptionId": "s", "data": []}
    assert client.post("/t/autun-morvan/smart-parking/ngsi/notify", json=body, headers=headers).status_code == 200
    deleted = operator.post_form(f"/t/autun-morvan/smart-parking/subscriptions/{subscription.id}/delete")
    assert deleted.status_code == 302
    assert client.post("/t/autun-morvan/smart-parking/ngsi/notify", json=body, headers=headers).status_code == 401
    wrong = operator.post_form(MANAGE.format(lot=lot.lot_id) + "/subscription",
                               {"name": "Orion", "fiware_service": "au tun", "fiware_service_path": "parking"})
    assert wrong.status_code == 422
    assert 'id="fiware_service-error"' in text_of(wrong) and 'id="fiware_service_path-error"' in text_of(wrong)


def test_an_mqtt_mapping_is_added_checked_and_deleted(operator, autun, lot):
    url = MANAGE.format(lot=lot.lot_id) + "/mqtt_mapping"
    fields = {"topic": "application/+/device/+/event/up", "sensor_pointer": "/deviceInfo/devEui",
              "status_pointer": "/object/occupied", "status_values": "true=occupied, false=free",
              "time_pointer": "/time"}
    refused = operator.post_form(url, dict(fields, status_values="true=parked"))
    assert refused.status_code == 422 and 'id="status_values-error"' in text_of(refused)
    assert operator.post_form(url, fields).status_code == 302
    with territory_scope(autun.territory):
        mapping = db.session.query(MqttMapping).one()
        assert mapping.status_values == {"true": "occupied", "false": "free"}
    assert "application/+/device/+/event/up" in text_of(operator.get(MANAGE.format(lot=lot.lot_id)))
    assert operator.post_form(f"/t/autun-morvan/smart-parking/mqtt-mappings/{mapping.id}/delete").status_code == 302
    assert count(MqttMapping) == 0


def test_only_operators_of_the_territory_wire_systems_in(make_client, autun, lot, figeac):
    employee = make_client()
    employee.login(autun.employee)
    for form in ("subscription", "mqtt_mapping", "spot_ids"):
        assert employee.post_form(MANAGE.format(lot=lot.lot_id) + f"/{form}", {}).status_code == 403
    outsider = make_client()
    outsider.login(figeac.operator)
    assert outsider.post_form(f"/t/figeac/smart-parking/lots/{lot.lot_id}/manage/subscription",
                              {"name": "x"}).status_code == 404
