"""Orion (NGSI-v2) and NGSI-LD notifications in: real payload shapes, keys, tenants, idempotency, per-entity report."""
import copy
import json
import os
from datetime import datetime

import pytest
from coopserv_plugins.smart_parking import services
from coopserv_plugins.smart_parking.models import SensorEvent, Spot

from coopserv.plugin_api import db, territory_scope

from .conftest import build_lot, count, spot_state

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
NOTIFY = "/t/{slug}/smart-parking/ngsi/notify"
V2_SPOT_3, V2_SPOT_4 = "santander:daoiz_velarde_1_5:3", "santander:daoiz_velarde_1_5:4"
LD_SPOT_3 = "urn:ngsi-ld:ParkingSpot:santander:daoiz_velarde_1_5:3"
#: The car park's id in the fixtures' refParkingSite: Orion's (NGSI-v2) and an NGSI-LD broker's.
V2_SITE, LD_SITE = "santander:daoiz_velarde_1_5", "urn:ngsi-ld:ParkingSite:santander:daoiz_velarde_1_5"


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


def name_site(autun, lot, ngsi_id):
    """Give the lot the NGSI id its spots' notifications name in refParkingSite."""
    from coopserv_plugins.smart_parking.models import Lot

    with territory_scope(autun.territory):
        site = db.session.get(Lot, lot.lot_id)
        services.update_lot(site, {"ngsi_id": ngsi_id})


@pytest.fixture
def orion(autun, lot):
    """The lot (Orion's site id) and its spots S-01, S-02, S-03 named as the smart-data-models examples name them;
    a subscription."""
    name_site(autun, lot, V2_SITE)
    with territory_scope(autun.territory):
        for ref, ngsi_id in (("S-01", V2_SPOT_3), ("S-02", V2_SPOT_4), ("S-03", LD_SPOT_3)):
            spot = db.session.get(Spot, lot.spots[ref])
            services.update_spot(spot, {"ref": ref, "category": "standard", "device_id": lot.device_id,
                                        "latitude": None, "longitude": None, "ngsi_id": ngsi_id, "sensor_id": None})
        subscription, key = services.create_subscription({"name": "Orion Autun", "lot_id": lot.lot_id,
                                                          "fiware_service": "autun",
                                                          "fiware_service_path": "/parking/#"})
    return type("Orion", (), {"key": key, "subscription_id": subscription.id,
                              "headers": {"X-Subscription-Key": key, "Fiware-Service": "autun",
                                          "Fiware-ServicePath": "/parking/nexans"}})


def notify(client, body, headers, slug="autun-morvan", content_type="application/json"):
    return client.post(NOTIFY.format(slug=slug), data=json.dumps(body), headers=headers, content_type=content_type)


def at(text):
    return datetime.fromisoformat(text)


def test_orion_v2_normalized_notification_updates_spots_and_ignores_other_types(client, autun, lot, orion):
    response = notify(client, fixture("ngsi-v2-normalized.json"), orion.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.get_json()
    assert (report["form"], report["received"], report["accepted"], report["ignored"], report["rejected"]) == \
        ("ngsi-v2", 3, 2, 1, 0)
    assert [entity["result"] for entity in report["entities"]] == ["accepted", "accepted", "ignored"]
    assert report["entities"][0]["refParkingSite"] == "santander:daoiz_velarde_1_5"
    assert report["entities"][2] == {"id": "daoiz-velarde-1-5-disabled", "type": "ParkingGroup",
                                     "result": "ignored", "reason": "other_type"}
    # status.metadata.timestamp for the first spot, dateObserved for the second.
    assert spot_state(lot.spots["S-01"]) == ("free", at("2018-09-21T12:00:00"))
    assert spot_state(lot.spots["S-02"]) == ("occupied", at("2018-09-21T12:01:00"))
    assert spot_state(lot.spots["S-04"]) == ("unknown", None)

    # Orion notifies again (retry, or a second subscription): nothing is applied twice.
    again = notify(client, fixture("ngsi-v2-normalized.json"), orion.headers).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert [entity["result"] for entity in again["entities"]] == ["duplicate", "duplicate", "ignored"]
    assert count(SensorEvent) == 2


def test_orion_v2_key_values_notification_takes_its_time_from_date_modified(client, autun, lot, orion):
    report = notify(client, fixture("ngsi-v2-keyvalues.json"), orion.headers).get_json()
    assert (report["accepted"], report["rejected"]) == (1, 0)
    assert spot_state(lot.spots["S-01"]) == ("free", at("2018-09-21T12:05:00"))


def test_ngsi_ld_forms_with_and_without_context_and_out_of_order(client, autun, lot, orion):
    name_site(autun, lot, LD_SITE)
    concise = notify(client, fixture("ngsi-ld-concise.json"), orion.headers).get_json()
    assert (concise["form"], concise["accepted"]) == ("ngsi-ld", 1)
    assert spot_state(lot.spots["S-03"]) == ("occupied", at("2018-09-21T12:10:00"))
    # The normalized entity with its @context (sent as JSON-LD) observed earlier: stored, but older, so no change.
    older = notify(client, fixture("ngsi-ld-normalized-context.json"), orion.headers,
                   content_type="application/ld+json").get_json()
    assert (older["accepted"], older["spots_updated"]) == (1, 0)
    assert spot_state(lot.spots["S-03"]) == ("occupied", at("2018-09-21T12:10:00"))
    # Terms left expanded (the broker had no @context for them) are still understood.
    expanded = notify(client, fixture("ngsi-ld-normalized-expanded.json"), orion.headers).get_json()
    assert (expanded["accepted"], expanded["spots_updated"]) == (1, 1)
    assert spot_state(lot.spots["S-03"]) == ("free", at("2018-09-21T12:20:00"))
    assert notify(client, fixture("ngsi-ld-concise.json"), orion.headers).get_json()["duplicates"] == 1
    assert count(SensorEvent) == 3


def test_one_bad_entity_does_not_reject_the_others(client, autun, lot, orion):
    body = fixture("ngsi-v2-normalized.json")
    good = body["data"][0]
    wrong_status = copy.deepcopy(good)
    wrong_status["id"] = V2_SPOT_4
    wrong_status["status"]["value"] = "parked"
    no_time = {"id": LD_SPOT_3, "type": "ParkingSpot", "status": {"type": "Text", "value": "free"}}
    unknown = dict(copy.deepcopy(good), id="urn:ngsi-ld:ParkingSpot:elsewhere:1")
    body["data"] = [wrong_status, good, no_time, "not an entity", unknown, {"type": "ParkingSpot"}]
    response = notify(client, body, orion.headers)
    assert response.status_code == 200
    entities = response.get_json()["entities"]
    assert [entity["result"] for entity in entities] == ["rejected", "accepted", "rejected", "rejected", "rejected",
                                                          "rejected"]
    assert set(entities[0]["errors"]) == {"status"}
    assert "observedAt" in entities[2]["errors"]
    assert entities[3]["errors"]["_schema"]
    assert entities[4]["reason"] == "unknown_spot" and "elsewhere" in entities[4]["errors"]["spot"][0]
    assert "id" in entities[5]["errors"]
    assert spot_state(lot.spots["S-01"])[0] == "free"
    assert spot_state(lot.spots["S-02"]) == ("unknown", None)


@pytest.mark.parametrize("change, status", [
    ({"X-Subscription-Key": None}, 401),
    ({"X-Subscription-Key": "ngsi_not-a-key"}, 401),
    ({"Fiware-Service": None}, 403),
    ({"Fiware-Service": "figeac"}, 403),
    ({"Fiware-ServicePath": "/other"}, 403),
    ({"Fiware-ServicePath": "/parking/nexans, /private"}, 403),
])
def test_notifications_need_the_key_tenant_and_service_path_of_their_subscription(client, autun, lot, orion,
                                                                                  change, status):
    headers = {name: value for name, value in {**orion.headers, **change}.items() if value is not None}
    response = notify(client, fixture("ngsi-v2-normalized.json"), headers)
    assert response.status_code == status
    assert response.get_json()["message"]
    assert count(SensorEvent) == 0


def test_the_tenant_is_compared_in_lower_case_and_sub_paths_are_accepted(client, autun, lot, orion):
    headers = dict(orion.headers, **{"Fiware-Service": "Autun", "Fiware-ServicePath": "/parking/a,/parking/b"})
    assert notify(client, fixture("ngsi-v2-keyvalues.json"), headers).get_json()["accepted"] == 1


def test_a_key_of_another_territory_is_refused(client, autun, lot, orion, figeac):
    response = notify(client, fixture("ngsi-v2-normalized.json"), orion.headers, slug="figeac")
    assert response.status_code == 401


def test_unreadable_notifications_are_refused_whole(client, autun, lot, orion):
    raw = client.post(NOTIFY.format(slug="autun-morvan"), data="{not json", headers=orion.headers,
                      content_type="application/json")
    assert raw.status_code == 400
    wrong = notify(client, {"subscriptionId": "x", "data": "entities"}, orion.headers)
    assert wrong.status_code == 422 and "data" in wrong.get_json()["errors"]


def test_a_subscription_for_one_lot_updates_only_that_lot(client, autun, lot, orion):
    other = build_lot(autun.territory, name="Parking visiteurs", standard=1, carpool=0)
    with territory_scope(autun.territory):
        spot = db.session.get(Spot, other.spots["S-01"])
        spot.ngsi_id = "urn:ngsi-ld:ParkingSpot:visiteurs:1"
        db.session.commit()
    body = fixture("ngsi-ld-concise.json")
    body["data"][0]["id"] = "urn:ngsi-ld:ParkingSpot:visiteurs:1"
    entity = notify(client, body, orion.headers).get_json()["entities"][0]
    assert (entity["result"], entity["reason"]) == ("rejected", "unknown_spot")
    assert spot_state(other.spots["S-01"]) == ("unknown", None)


def test_spots_answer_to_their_default_ngsi_id_and_need_a_sensor(client, autun, lot, orion):
    name_site(autun, lot, LD_SITE)
    with territory_scope(autun.territory):
        bare = Spot(lot_id=lot.lot_id, ref="N-01")
        db.session.add(bare)
        db.session.commit()
        bare_id = bare.id
    body = fixture("ngsi-ld-concise.json")
    body["data"] = [dict(body["data"][0], id=f"urn:ngsi-ld:ParkingSpot:autun-morvan:{lot.spots['S-04']}"),
                    dict(body["data"][0], id=f"urn:ngsi-ld:ParkingSpot:autun-morvan:{bare_id}")]
    entities = notify(client, body, orion.headers).get_json()["entities"]
    assert entities[0]["result"] == "accepted"
    assert (entities[1]["result"], entities[1]["reason"]) == ("rejected", "no_sensor")
    assert spot_state(lot.spots["S-04"])[0] == "occupied"


def test_notifications_are_refused_when_the_module_is_off(client, autun, lot, orion):
    from coopserv.testing import disable_module

    with territory_scope(autun.territory):
        disable_module(autun.module)
    assert notify(client, fixture("ngsi-v2-normalized.json"), orion.headers).status_code == 404


def test_ref_parking_site_must_name_the_spots_own_car_park(client, autun, lot, orion, figeac):
    visitors = build_lot(autun.territory, name="Parking visiteurs", standard=1, carpool=0)
    elsewhere = build_lot(figeac.territory, name="Parking Figeac Aéro", standard=1, carpool=0)
    template = fixture("ngsi-v2-keyvalues.json")["data"][0]

    def entity(spot_id, minute, **site):
        item = dict(template, id=spot_id, dateModified=f"2018-09-21T12:{minute:02d}:00.000Z")
        item.pop("refParkingSite")
        return dict(item, **site)

    body = {"subscriptionId": "57458eb60962ef754e7c0998", "data": [
        entity(V2_SPOT_3, 1, refParkingSite=f"urn:ngsi-ld:OffStreetParking:autun-morvan:{visitors.lot_id}"),
        entity(V2_SPOT_3, 2, refParkingSite=f"urn:ngsi-ld:OffStreetParking:figeac:{elsewhere.lot_id}"),
        entity(V2_SPOT_3, 3, refParkingSite="santander:somewhere_else"),
        entity(V2_SPOT_4, 4, refParkingSite=V2_SITE),
        entity(LD_SPOT_3, 5, refParkingSite=f"urn:ngsi-ld:OffStreetParking:autun-morvan:{lot.lot_id}"),
        entity(f"urn:ngsi-ld:ParkingSpot:autun-morvan:{lot.spots['S-04']}", 6),
    ]}
    response = notify(client, body, orion.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    entities = response.get_json()["entities"]
    assert [(item["result"], item.get("reason")) for item in entities] == [
        ("rejected", "other_site"), ("rejected", "other_site"), ("rejected", "other_site"),
        ("accepted", None), ("accepted", None), ("accepted", None)]
    for item in entities[:3]:
        assert list(item["errors"]) == ["refParkingSite"] and V2_SITE in item["errors"]["refParkingSite"][0]
    # Nothing stored for the refused ones: S-01 kept its state and has no event.
    assert spot_state(lot.spots["S-01"]) == ("unknown", None)
    assert count(SensorEvent, spot_id=lot.spots["S-01"]) == 0 and count(SensorEvent) == 3
    assert spot_state(lot.spots["S-02"])[1] == at("2018-09-21T12:04:00")
