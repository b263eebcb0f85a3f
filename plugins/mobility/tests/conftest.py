"""Mobility fixtures: a territory with two parks, towns around them and people to carpool."""
from types import SimpleNamespace

import pytest

from coopserv.plugin_api import db, territory_scope

#: Tarare area, approximate WGS 84 coordinates.
PINS = (45.9030, 4.4180)
AMPLEPUIS = (45.9725, 4.3316)
TARARE = (45.8960, 4.4330)
VALSONNE = (45.94318, 4.42627)
LARBRESLE = (45.8350, 4.6170)


@pytest.fixture
def ouest(make_territory, make_organization, make_user, enable_module):
    """Ouest Rhodanien: two companies at ZA des Pins, drivers, passengers, an operator, an admin."""
    territory = make_territory("ouest-rhodanien", "Ouest Rhodanien")
    textiles = make_organization(territory, "Textiles de Tarare", employee_count=120, business_park="ZA des Pins")
    plasturgie = make_organization(territory, "Plasturgie Val de Turdine", employee_count=80,
                                   business_park="ZA des Pins")
    module = enable_module(territory, "mobility", stage="perennial",
                           config={"shuttle_enabled": True, "bikes_enabled": True})
    with territory_scope(territory):
        from coopserv_plugins.mobility.models import BusinessPark, Town

        pins = BusinessPark(name="ZA des Pins", latitude=PINS[0], longitude=PINS[1])
        tuburon = BusinessPark(name="ZA du Tuburon", latitude=45.8745, longitude=4.4880)
        towns = {name: Town(name=name, latitude=lat, longitude=lon) for name, (lat, lon) in
                 {"Amplepuis": AMPLEPUIS, "Tarare": TARARE, "Valsonne": VALSONNE, "L'Arbresle": LARBRESLE}.items()}
        db.session.add_all([pins, tuburon, *towns.values()])
        db.session.commit()
    return SimpleNamespace(
        territory=territory, textiles=textiles, plasturgie=plasturgie, module=module, pins=pins, tuburon=tuburon,
        towns=towns,
        driver=make_user(territory, "employee", textiles, email="driver@textiles.example", name="Dominique Driver"),
        passenger=make_user(territory, "employee", plasturgie, email="passenger@plasturgie.example",
                            name="Paula Passenger"),
        second=make_user(territory, "employee", textiles, email="second@textiles.example", name="Sacha Second"),
        admin=make_user(territory, "territory_admin", email="admin@ouest.example"),
        operator=make_user(territory, "service_operator", module=module, email="mobility@ouest.example"),
    )


@pytest.fixture
def figeac(make_territory, make_organization, make_user, enable_module):
    """Another territory, to check that nothing of Ouest Rhodanien leaks into it."""
    territory = make_territory("figeac", "Figeac")
    aero = make_organization(territory, "Figeac Aéro", employee_count=1200, business_park="ZA de l'Aiguille")
    module = enable_module(territory, "mobility", stage="perennial",
                           config={"shuttle_enabled": True, "bikes_enabled": True})
    return SimpleNamespace(
        territory=territory, aero=aero, module=module,
        employee=make_user(territory, "employee", aero, email="camille@aero.example"),
        operator=make_user(territory, "service_operator", module=module, email="mobility@figeac.example"),
        admin=make_user(territory, "territory_admin", email="admin@figeac.example"),
    )


def commute_form(ouest, kind, town=None, days=("0", "1", "2", "3", "4"), departure="07:30",
                 back="17:00", seats="1", park=None):
    """Form fields of a commute from one of the territory's towns (by name; none leaves the town out)."""
    fields = {"kind": kind, "business_park_id": str((park or ouest.pins).id), "weekdays": list(days),
              "departure_time": departure, "return_time": back, "seats": seats}
    if town:
        fields["town_id"] = str(ouest.towns[town].id)
    return fields


def publish(client, fields):
    response = client.post_form("/t/ouest-rhodanien/services/mobility/requests", fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def people(make_client, ouest):
    """Signed-in clients for the driver, the passenger, the second passenger and the operator."""
    clients = {}
    for name in ("driver", "passenger", "second", "operator", "admin"):
        client = make_client()
        client.login(getattr(ouest, name))
        clients[name] = client
    return SimpleNamespace(**clients)
