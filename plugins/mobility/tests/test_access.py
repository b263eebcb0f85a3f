"""Every route checks territory, role and stage on the server."""
from datetime import timedelta

import pytest
from coopserv_plugins.mobility.models import (
    BikeBooking,
    BikePool,
    BusinessPark,
    Proposal,
    ShuttleBooking,
    ShuttleRun,
)
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, db, territory_scope, utcnow

from .conftest import commute_form, publish


@pytest.fixture
def ouest_rows(people, ouest, scoped):
    """A proposal, a shuttle run and a bike pool in Ouest Rhodanien."""
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    with scoped(ouest.territory):
        run = ShuttleRun(business_park_id=ouest.pins.id, origin="Gare de Tarare",
                         departs_at=utcnow() + timedelta(days=1), seats=5)
        pool = BikePool(business_park_id=ouest.pins.id, name="Vélos des Pins", bikes=3)
        db.session.add_all([run, pool])
        db.session.commit()
        return {"proposal": db.session.scalar(select(Proposal.id)), "run": run.id, "pool": pool.id}


def _routes(rows):
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    return [
        ("get", "/mobility/", None),
        ("post", f"/mobility/proposals/{rows['proposal']}/answer", {"answer": "accept"}),
        ("post", f"/mobility/shuttle/{rows['run']}/book", {"seats": 1}),
        ("post", f"/mobility/bikes/{rows['pool']}/book",
         {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}),
        ("get", "/mobility/manage", None),
        ("post", "/mobility/manage/park", {"name": "ZA Pirate", "latitude": 45.0, "longitude": 4.0}),
        ("post", "/mobility/manage/match", {}),
        ("get", "/mobility/places", None),
        ("post", "/mobility/places", {"park-new-name": "ZA Pirate", "park-new-point": "45.0, 4.0"}),
    ]


def _call(client, method, url, data):
    if method == "get":
        return client.get(url, headers={"Accept": "application/json"})
    return client.post_json(url, data)


def _nothing_written():
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))

    return count(ShuttleBooking) == 0 and count(BikeBooking) == 0 and count(BusinessPark) == 2


def test_people_of_another_territory_get_nothing_of_ouest(make_client, ouest_rows, figeac):
    for person in (figeac.employee, figeac.operator, figeac.admin):
        client = make_client()
        client.login(person)
        for method, path, data in _routes(ouest_rows):
            # Through Ouest Rhodanien's URL: not a member there.
            response = _call(client, method, "/t/ouest-rhodanien" + path, data)
            assert response.status_code in (403, 404), (person.email, path, response.status_code)
            # Through their own territory's URL, with Ouest Rhodanien's ids.
            if path.endswith(("/mobility/", "/manage", "/places")) or "/manage/" in path:
                continue  # their own territory's pages; checked below for content
            response = _call(client, method, "/t/figeac" + path, data)
            assert response.status_code in (403, 404), (person.email, path, response.status_code)
        page = client.get("/t/figeac/mobility/manage").get_data(as_text=True)
        assert "ZA des Pins" not in page and "Gare de Tarare" not in page
    assert _nothing_written()


def test_employees_cannot_reach_operator_pages(people, ouest_rows):
    for method, path, data in _routes(ouest_rows)[4:]:
        assert _call(people.driver, method, "/t/ouest-rhodanien" + path, data).status_code == 403
    assert people.operator.get("/t/ouest-rhodanien/mobility/manage").status_code == 200
    assert people.admin.get("/t/ouest-rhodanien/mobility/manage").status_code == 200


def test_operator_forms_refuse_bad_coordinates(people, ouest):
    response = people.operator.post_form("/t/ouest-rhodanien/mobility/manage/park",
                                         {"name": "ZA Nord", "latitude": "95", "longitude": "4.4"})
    assert response.status_code == 422 and 'id="latitude-error"' in response.get_data(as_text=True)
    town = people.operator.post_json("/t/ouest-rhodanien/mobility/manage/town",
                                     {"name": "Cours", "latitude": 46.1, "longitude": -181})
    assert town.status_code == 422 and set(town.get_json()["errors"]) == {"longitude"}
    assert people.operator.post_form("/t/ouest-rhodanien/mobility/manage/town",
                                     {"name": "Cours", "latitude": "46.102", "longitude": "4.319"}).status_code == 302


def test_pilot_stage_keeps_other_companies_out(make_territory, make_organization, make_user, enable_module,
                                               make_client):
    territory = make_territory("pilote", "Pilote")
    pilot = make_organization(territory, "Pilote SA")
    other = make_organization(territory, "Autre SARL")
    enable_module(territory, "mobility", stage="pilot", pilots=[pilot])
    from coopserv_plugins.mobility.models import Town

    with territory_scope(territory):  # what carpooling needs before anyone may use it
        db.session.add_all([BusinessPark(name="ZA Pilote", latitude=45.9, longitude=4.4),
                            Town(name="Pilote-Ville", latitude=45.91, longitude=4.41)])
        db.session.commit()
    inside, outside = make_client(), make_client()
    inside.login(make_user(territory, "employee", pilot))
    outside.login(make_user(territory, "employee", other))
    assert inside.get("/t/pilote/mobility/").status_code == 200
    assert outside.get("/t/pilote/mobility/").status_code == 403
