"""Pages: live availability with htmx, the kiosk, operator management, roles and tenant isolation."""
from datetime import timedelta

import pytest
from coopserv_plugins.smart_parking.models import Device, Lot, Spot
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, db, local_now, utcnow

from .conftest import count, send

BASE = "/t/autun-morvan/smart-parking"


def occupy(client, lot, refs, status="occupied"):
    at = (utcnow() - timedelta(minutes=1)).isoformat() + "Z"
    events = [{"spot": ref, "status": status, "observed_at": at, "event_id": f"{ref}-{status}-{at}"} for ref in refs]
    assert send(client, "autun-morvan", lot.key, {"events": events}).status_code == 200


def test_availability_counts_free_spots_per_category_and_refreshes_with_htmx(make_client, autun, lot):
    sensors = make_client()
    occupy(sensors, lot, ["S-01", "S-02"])
    occupy(sensors, lot, ["S-03", "C-01"], "free")
    employee = make_client()
    employee.login(autun.employee)
    page = employee.get(f"{BASE}/lots/{lot.lot_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'hx-trigger="every 10s"' in html and "<html" in html
    partial = employee.get(f"{BASE}/lots/{lot.lot_id}", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and 'id="availability"' in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers.get("Vary", "")
    data = employee.get(f"{BASE}/lots/{lot.lot_id}", headers={"Accept": "application/json"}).get_json()
    assert data["overall"] == {"total": 6, "free": 2, "occupied": 2, "reserved": 0, "closed": 0, "unknown": 2}
    assert data["by_category"]["standard"]["free"] == 1 and data["by_category"]["carpool"]["free"] == 1
    assert data["occupancy_percent"] == 50 and data["nearly_full"] is False


def test_a_spot_reserved_now_is_not_offered_as_free(make_client, autun, lot):
    occupy(make_client(), lot, ["S-01", "S-02", "S-03", "S-04"], "free")
    employee = make_client()
    employee.login(autun.employee)
    start = local_now().replace(second=0, microsecond=0, tzinfo=None)  # typed on Autun's clock
    assert employee.post_json("/t/autun-morvan/services/smart_parking/requests", {
        "lot_id": lot.lot_id, "spot_id": lot.spots["S-04"], "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": (start + timedelta(hours=1)).isoformat(timespec="minutes")}).status_code == 201
    data = employee.get(f"{BASE}/lots/{lot.lot_id}", headers={"Accept": "application/json"}).get_json()
    assert data["by_category"]["standard"]["free"] == 3 and data["by_category"]["standard"]["reserved"] == 1


def test_a_nearly_full_lot_suggests_mobility_alternatives(make_client, autun, lot, fake_mobility):
    fake_mobility.alternatives = [{"label": "Rejoindre un équipage de covoiturage", "url": "/t/autun-morvan/mobility"}]
    occupy(make_client(), lot, ["S-01", "S-02", "S-03", "S-04", "C-01", "C-02"])
    employee = make_client()
    employee.login(autun.employee)
    html = employee.get(f"{BASE}/lots/{lot.lot_id}").get_data(as_text=True)
    assert "Rejoindre un équipage de covoiturage" in html and 'href="/t/autun-morvan/mobility"' in html
    data = employee.get(f"{BASE}/lots/{lot.lot_id}", headers={"Accept": "application/json"}).get_json()
    assert data["nearly_full"] is True and data["alternatives"][0]["park"] == "ZI de Saint-Andoche"


def test_a_nearly_full_lot_works_when_nobody_suggests_anything(make_client, autun, lot, no_mobility):
    occupy(make_client(), lot, ["S-01", "S-02", "S-03", "S-04", "C-01", "C-02"])
    employee = make_client()
    employee.login(autun.employee)
    response = employee.get(f"{BASE}/lots/{lot.lot_id}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["nearly_full"] is True and response.get_json()["alternatives"] == []
    assert employee.get(f"{BASE}/lots/{lot.lot_id}").status_code == 200


def test_the_kiosk_shows_big_numbers_without_navigation_or_sign_in(client, autun, lot):
    occupy(client, lot, ["S-01"], "free")
    token = db.session.scalar(select(Lot.kiosk_token).where(Lot.id == lot.lot_id)
                              .execution_options(**{ALL_TERRITORIES: True}))
    response = client.get(f"{BASE}/kiosk/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "kiosk-number" in html and "Parking Nexans Saint-Andoche" in html
    assert "main-nav" not in html and "<nav" not in html and "hx-trigger=\"every 10s\"" in html
    partial = client.get(f"{BASE}/kiosk/{token}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and ">1</span>" in partial
    assert client.get(f"{BASE}/kiosk/not-the-token").status_code == 404
    assert client.get(f"/t/figeac/smart-parking/kiosk/{token}").status_code == 404


def test_operator_adds_a_lot_spots_and_sensors(make_client, autun):
    operator = make_client()
    operator.login(autun.operator)
    created = operator.post_form(f"{BASE}/manage/lots", {"name": "Parking Nexans Saint-Andoche", "latitude": "46.95",
                                                         "longitude": "4.29", "allow_reservations": "true"})
    assert created.status_code == 302
    lot_id = int(created.headers["Location"].split("/lots/")[1].split("/")[0])
    keys_page = operator.post_form(f"{BASE}/lots/{lot_id}/manage/spot_range",
                                   {"prefix": "A-", "count": "3", "category": "standard", "one_sensor_per_spot": "true"})
    assert keys_page.status_code == 200
    html = keys_page.get_data(as_text=True)
    assert html.count("spk_") == 3
    assert sorted(db.session.scalars(select(Spot.ref).execution_options(**{ALL_TERRITORIES: True}))) == \
        ["A-01", "A-02", "A-03"]
    device_page = operator.post_form(f"{BASE}/lots/{lot_id}/manage/device", {"name": "Caméra entrée nord"})
    key = device_page.get_data(as_text=True).split("<code>spk_")[1].split("</code>")[0]
    assert count(Device) == 4
    # Shown once: the page does not show it again, and the database keeps only a hash.
    assert ("spk_" + key) not in operator.get(f"{BASE}/lots/{lot_id}/manage").get_data(as_text=True)
    assert count(Device, key_hash="spk_" + key) == 0
    again = operator.post_form(f"{BASE}/lots/{lot_id}/manage/spot_range", {"prefix": "A-", "count": "2"})
    assert again.status_code == 422 and "A-01" in again.get_data(as_text=True)
    assert count(Spot) == 3


def test_bad_lot_input_gets_field_errors_and_stores_nothing(make_client, autun):
    operator = make_client()
    operator.login(autun.operator)
    response = operator.post_form(f"{BASE}/manage/lots", {"name": "P", "latitude": "123", "longitude": "4.2"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and 'id="latitude-error"' in html
    only_one = operator.post_json(f"{BASE}/manage/lots", {"name": "Parking", "latitude": 46.9})
    assert only_one.status_code == 422 and set(only_one.get_json()["errors"]) == {"longitude"}
    out_of_range = operator.post_json(f"{BASE}/manage/lots", {"name": "Parking", "latitude": 46.9, "longitude": 200})
    assert set(out_of_range.get_json()["errors"]) == {"longitude"}
    assert count(Lot) == 0


def test_operator_closes_a_spot_and_edits_it(make_client, autun, lot):
    operator = make_client()
    operator.login(autun.operator)
    spot_id = lot.spots["S-01"]
    assert operator.post_form(f"{BASE}/spots/{spot_id}/closure").status_code == 302
    assert fetch(Spot, spot_id).status == "closed"
    bad = operator.post_form(f"{BASE}/spots/{spot_id}/edit", {"ref": "S-02", "category": "standard"})
    assert bad.status_code == 422 and 'id="ref-error"' in bad.get_data(as_text=True)
    good = operator.post_form(f"{BASE}/spots/{spot_id}/edit", {"ref": "E-01", "category": "electric_charging",
                                                               "device_id": str(lot.device_id)})
    assert good.status_code == 302
    spot = fetch(Spot, spot_id)
    assert (spot.ref, spot.category) == ("E-01", "electric_charging")


def fetch(model, row_id):
    db.session.expire_all()
    return db.session.scalar(select(model).where(model.id == row_id).execution_options(**{ALL_TERRITORIES: True}))


def operator_routes(lot, spot_id, device_id):
    """Every operator route of the blueprint, as (method, url)."""
    return [
        ("get", f"{BASE}/manage"),
        ("post", f"{BASE}/manage/lots"),
        ("get", f"{BASE}/lots/{lot}/manage"),
        ("post", f"{BASE}/lots/{lot}/manage/lot"),
        ("post", f"{BASE}/lots/{lot}/manage/spot"),
        ("post", f"{BASE}/lots/{lot}/manage/spot_range"),
        ("post", f"{BASE}/lots/{lot}/manage/device"),
        ("get", f"{BASE}/spots/{spot_id}/edit"),
        ("post", f"{BASE}/spots/{spot_id}/edit"),
        ("post", f"{BASE}/spots/{spot_id}/closure"),
        ("post", f"{BASE}/sensors/{device_id}/renew-key"),
        ("post", f"{BASE}/sensors/{device_id}/toggle"),
        ("get", f"{BASE}/lots/{lot}/indicators"),
    ]


def _call(client, method, url):
    if method == "get":
        return client.get(url)
    return client.post_form(url, {"name": "Changed name", "ref": "X-1", "count": "2"})


def _unchanged(lot):
    db.session.expire_all()
    assert count(Lot) == 1 and count(Spot) == 6 and count(Device) == 1
    name, active = db.session.execute(select(Lot.name, Lot.active).execution_options(**{ALL_TERRITORIES: True})).one()
    assert name == "Parking Nexans Saint-Andoche" and active
    assert fetch(Spot, lot.spots["S-01"]).status == "unknown"
    assert fetch(Device, lot.device_id).active


def test_employees_cannot_reach_operator_pages(make_client, autun, lot):
    employee = make_client()
    employee.login(autun.employee)
    for method, url in operator_routes(lot.lot_id, lot.spots["S-01"], lot.device_id):
        assert _call(employee, method, url).status_code == 403, url
    _unchanged(lot)


def test_a_territory_admin_operates_the_module(make_client, autun, lot):
    admin = make_client()
    admin.login(autun.admin)
    assert admin.get(f"{BASE}/lots/{lot.lot_id}/manage").status_code == 200


def test_people_of_another_territory_get_nothing_from_autun(make_client, autun, lot, figeac):
    """Figeac's operator, admin and employee try every Autun route: 403 or 404, and no Autun data."""
    token = db.session.scalar(select(Lot.kiosk_token).execution_options(**{ALL_TERRITORIES: True}))
    routes = operator_routes(lot.lot_id, lot.spots["S-01"], lot.device_id) + [
        ("get", f"{BASE}/"), ("get", f"{BASE}/lots/{lot.lot_id}")]
    for person in (figeac.operator, figeac.admin, figeac.employee):
        client = make_client()
        client.login(person)
        for method, url in routes:
            response = _call(client, method, url)
            assert response.status_code in (403, 404), (person.email, url, response.status_code)
            assert "Nexans" not in response.get_data(as_text=True) and token not in response.get_data(as_text=True)
        # Figeac's own URLs do not reach Autun's rows either.
        figeac_base = "/t/figeac/smart-parking"
        for url in (f"{figeac_base}/lots/{lot.lot_id}", f"{figeac_base}/lots/{lot.lot_id}/manage",
                    f"{figeac_base}/spots/{lot.spots['S-01']}/edit", f"{figeac_base}/lots/{lot.lot_id}/indicators"):
            response = client.get(url)
            assert response.status_code in (403, 404), (person.email, url)
            assert "Nexans" not in response.get_data(as_text=True)
        for url in (f"{figeac_base}/spots/{lot.spots['S-01']}/closure", f"{figeac_base}/sensors/{lot.device_id}/toggle",
                    f"{figeac_base}/sensors/{lot.device_id}/renew-key"):
            assert client.post_form(url).status_code in (403, 404), (person.email, url)
    _unchanged(lot)


def test_sign_in_is_required_and_pilot_rules_apply(make_client, client, autun, lot):
    assert client.get(f"{BASE}/lots/{lot.lot_id}").status_code == 302
    outsider = make_client()
    outsider.login(autun.outsider)
    assert outsider.get(f"{BASE}/lots/{lot.lot_id}").status_code == 403
    assert outsider.get(f"{BASE}/").status_code == 403
    employee = make_client()
    employee.login(autun.employee)
    assert "Parking Nexans Saint-Andoche" in employee.get(f"{BASE}/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/manage", "/", "/kiosk/x"])
def test_pages_are_404_where_the_module_is_not_enabled(make_client, make_territory, make_user, path):
    territory = make_territory("grand-quercy", "Grand Quercy")
    admin = make_client()
    admin.login(make_user(territory, "territory_admin"))
    assert admin.get(f"/t/grand-quercy/smart-parking{path}").status_code == 404


def test_the_portal_home_links_the_car_parks_for_pilot_employees_only(make_client, autun, lot):
    employee, outsider = make_client(), make_client()
    employee.login(autun.employee)
    outsider.login(autun.outsider)
    assert "/t/autun-morvan/smart-parking/" in employee.get("/t/autun-morvan/").get_data(as_text=True)
    assert "/t/autun-morvan/smart-parking/" not in outsider.get("/t/autun-morvan/").get_data(as_text=True)


def test_availability_json_speaks_fiware_off_street_parking(make_client, autun, lot, scoped):
    from coopserv_plugins.smart_parking import services

    with scoped(autun.territory):
        services.update_lot(services.get_lot(lot.lot_id), {"latitude": 46.9563, "longitude": 4.2941})
    occupy(make_client(), lot, ["S-01", "S-02", "S-03"])
    employee = make_client()
    employee.login(autun.employee)
    data = employee.get(f"{BASE}/lots/{lot.lot_id}", headers={"Accept": "application/json"}).get_json()["lot"]
    assert data["type"] == "OffStreetParking" and data["location"] == {"type": "Point", "coordinates": [4.2941, 46.9563]}
    assert (data["totalSpotNumber"], data["availableSpotNumber"], data["occupancy"]) == (6, 0, 1.0)
