"""Business parks and towns get their point in one field (pasted from a map site) or two; the places form
gives the organizations' parks and the territory's towns their points at once and goes back where it was
opened from; the commute form proposes what the data says."""
import re

import pytest
from coopserv_plugins.mobility.models import BusinessPark, Town
from coopserv_plugins.mobility.points import parse_point
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, db, territory_scope
from coopserv.testing import give_towns

PLACES = "/t/figeac/mobility/places"


@pytest.mark.parametrize("typed, point", [
    ("44.6084, 2.0317", (44.6084, 2.0317)), ("44.6084,2.0317", (44.6084, 2.0317)),
    ("44,6084; 2,0317", (44.6084, 2.0317)), ("44,6084, 2,0317", (44.6084, 2.0317)),
    (" geo:44.6084,-2.0317 ", (44.6084, -2.0317)), ("44.6084 2.0317", (44.6084, 2.0317)),
    ("44.6/2.03", (44.6, 2.03)), ("-33.9, 151.2", (-33.9, 151.2)),
])
def test_a_point_is_read_as_map_sites_copy_it(typed, point):
    assert parse_point(typed) == point


@pytest.mark.parametrize("typed", ["", "44.6084", "Figeac", "44.6, 2.0, 3.1", "95, 2", "44, 200", "44.6, 2.0e3"])
def test_a_point_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError):
        parse_point(typed)


def _rows(model):
    return db.session.scalars(select(model).execution_options(**{ALL_TERRITORIES: True})).all()


def _operator(make_client, figeac):
    operator = make_client()
    operator.login(figeac.operator)
    return operator


def test_one_field_or_two_give_a_park_its_point(make_client, figeac):
    operator = _operator(make_client, figeac)
    pasted = operator.post_form("/t/figeac/mobility/manage/park", {"name": "ZA de l'Aiguille", "point": "44.6163, 2.0155"})
    assert pasted.status_code == 302
    typed = operator.post_form("/t/figeac/mobility/manage/park", {"name": "ZA de Lissac", "latitude": "44.62",
                                                                   "longitude": "1.98"})
    assert typed.status_code == 302
    assert {(p.name, p.latitude, p.longitude) for p in _rows(BusinessPark)} == {
        ("ZA de l'Aiguille", 44.6163, 2.0155), ("ZA de Lissac", 44.62, 1.98)}
    bad = operator.post_form("/t/figeac/mobility/manage/park", {"name": "ZA Sud", "point": "44.6 nord"})
    assert bad.status_code == 422 and 'id="point-error"' in bad.get_data(as_text=True)
    missing = operator.post_json("/t/figeac/mobility/manage/town", {"name": "Capdenac"})
    assert missing.status_code == 422 and set(missing.get_json()["errors"]) == {"point"}
    half = operator.post_json("/t/figeac/mobility/manage/town", {"name": "Capdenac", "latitude": 44.57})
    assert half.status_code == 422 and set(half.get_json()["errors"]) == {"longitude"}
    assert len(_rows(Town)) == 0


def test_the_places_form_gives_the_organizations_parks_and_the_territorys_towns_their_points(make_client, figeac):
    give_towns(figeac.territory, ["46102", "12052"])  # Figeac, Capdenac-Gare
    operator = _operator(make_client, figeac)
    page = operator.get(f"{PLACES}?next=/t/figeac/admin/modules/mobility").get_data(as_text=True)
    # The park typed on Figeac Aéro and each official town wait for a point; nothing to retype.
    assert 'name="park-0-name" value="ZA de l&#39;Aiguille"' in page
    assert 'id="town-46102-point"' in page and 'id="town-12052-point"' in page
    assert 'name="next" value="/t/figeac/admin/modules/mobility"' in page

    saved = operator.post_form(PLACES, {"park-0-name": "ZA de l'Aiguille", "park-0-point": "44.6163, 2.0155",
                                        "town-46102-point": "44,6086; 2,0317", "town-12052-point": "",
                                        "next": "/t/figeac/admin/modules/mobility"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/t/figeac/admin/modules/mobility")
    assert {(p.name, p.latitude) for p in _rows(BusinessPark)} == {("ZA de l'Aiguille", 44.6163)}
    assert {(t.name, t.postcode, t.longitude) for t in _rows(Town)} == {("Figeac", "46100", 2.0317)}
    page = operator.get(PLACES).get_data(as_text=True)
    assert 'id="town-46102-point"' not in page and 'id="town-12052-point"' in page and "park-0-name" not in page


def test_one_bad_point_keeps_every_place_out_with_an_error_beside_it(make_client, figeac):
    give_towns(figeac.territory, ["46102", "12052"])
    operator = _operator(make_client, figeac)
    refused = operator.post_form(PLACES, {"park-0-name": "ZA de l'Aiguille", "park-0-point": "44.6163, 2.0155",
                                          "town-46102-point": "44.6086", "next": "https://evil.example/"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="town-46102-point-error"' in page
    assert 'value="44.6163, 2.0155"' in page  # what was typed stays
    assert _rows(BusinessPark) == [] and _rows(Town) == []
    nothing = operator.post_form(PLACES, {"park-0-name": "ZA de l'Aiguille"})
    assert nothing.status_code == 422 and 'id="park-0-point-error"' in nothing.get_data(as_text=True)
    named = operator.post_form(PLACES, {"park-new-point": "44.6, 2.0"})  # a new park needs its name
    assert named.status_code == 422 and 'id="park-new-name-error"' in named.get_data(as_text=True)
    elsewhere = operator.post_form(PLACES, {"park-0-name": "ZA de l'Aiguille", "park-0-point": "44.6163, 2.0155",
                                            "next": "https://evil.example/"})
    assert elsewhere.headers["Location"].endswith("/t/figeac/mobility/manage")


def test_the_places_form_is_for_operators_and_admins(make_client, figeac):
    employee = make_client()
    employee.login(figeac.employee)
    assert employee.get(PLACES).status_code == 403
    assert employee.post_form(PLACES, {"park-new-name": "ZA Pirate", "park-new-point": "44.6, 2.0"}).status_code == 403
    admin = make_client()
    admin.login(figeac.admin)
    assert admin.get(PLACES).status_code == 200
    assert _rows(BusinessPark) == []


def test_without_official_towns_a_town_is_named_with_its_point(make_client, figeac):
    operator = _operator(make_client, figeac)
    saved = operator.post_form(PLACES, {"town-new-name": "Capdenac", "town-new-postcode": "46100",
                                        "town-new-point": "44.5781, 2.0667"})
    assert saved.status_code == 302
    assert {(t.name, t.postcode, t.latitude) for t in _rows(Town)} == {("Capdenac", "46100", 44.5781)}


def test_the_commute_form_proposes_ones_park_the_only_town_and_one_seat(make_client, ouest, figeac):
    employee = make_client()
    employee.login(ouest.driver)  # Textiles de Tarare stands in ZA des Pins; four towns around
    page = employee.get("/t/ouest-rhodanien/services/mobility").get_data(as_text=True)
    assert re.search(r'<option value="\d+" selected>ZA des Pins</option>', page)
    assert not re.search(r'<select id="town_id".*?selected>', page, re.S)  # several towns: the employee chooses
    assert 'id="seats" name="seats" type="number" value="1"' in page
    with territory_scope(figeac.territory):
        db.session.add_all([BusinessPark(name="ZA de Lissac", latitude=44.62, longitude=1.98),
                            Town(name="Figeac", latitude=44.6, longitude=2.03)])
        db.session.commit()
    figeac_employee = make_client()
    figeac_employee.login(figeac.employee)  # Figeac Aéro's park is not a carpool park: the only one is proposed
    page = figeac_employee.get("/t/figeac/services/mobility").get_data(as_text=True)
    assert re.search(r'selected>ZA de Lissac</option>', page) and re.search(r'selected>Figeac</option>', page)
