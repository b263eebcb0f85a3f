"""Smart parking fixtures: Autun Morvan with Nexans as pilot, a small lot watched by one gateway sensor."""
from types import SimpleNamespace

import pytest

from coopserv.plugin_api import ALL_TERRITORIES, db, territory_scope

from .broker import mosquitto  # noqa: F401 (a fixture for the modules of this folder)

API = "/t/{slug}/smart-parking/api/events"


@pytest.fixture
def autun(make_territory, make_organization, make_user, enable_module):
    """Autun Morvan: smart parking in prototype for Nexans Autun only."""
    territory = make_territory("autun-morvan", "Autun Morvan")
    nexans = make_organization(territory, "Nexans Autun", employee_count=400)
    morvan = make_organization(territory, "Morvan Électronique", employee_count=35)
    module = enable_module(territory, "smart_parking", stage="prototype", pilots=[nexans])
    return SimpleNamespace(
        territory=territory, nexans=nexans, morvan=morvan, module=module,
        employee=make_user(territory, "employee", nexans, email="camille@nexans.example"),
        colleague=make_user(territory, "employee", nexans, email="sacha@nexans.example"),
        outsider=make_user(territory, "employee", morvan, email="lou@morvan.example"),
        admin=make_user(territory, "territory_admin", email="admin@autun.example"),
        operator=make_user(territory, "service_operator", module=module, email="parking@autun.example"),
    )


@pytest.fixture
def figeac(make_peopled_territory):
    """Another territory with its own smart parking, to check nothing crosses over."""
    town = make_peopled_territory('figeac', 'Figeac', services=('smart_parking',), organizations=[('Figeac Aéro', 35)],
                                  emails={'employee': 'alex@aero.example', 'admin': 'admin@figeac.example', 'operator': 'parking@figeac.example'})
    town.company = town.organizations[0]
    return town


def build_lot(territory, name="Parking Nexans Saint-Andoche", standard=4, carpool=2, allow_reservations=True,
              carpool_priority=False):
    """A lot with S-01… standard spots and C-01… carpool spots, all watched by one gateway sensor."""
    from coopserv_plugins.smart_parking import services
    from coopserv_plugins.smart_parking.models import Spot

    with territory_scope(territory):
        lot = services.create_lot({"name": name, "business_park": "ZI de Saint-Andoche",
                                   "allow_reservations": allow_reservations, "carpool_priority": carpool_priority})
        device, key = services.create_device(lot, {"name": "Passerelle LoRa"})
        spots = [Spot(lot_id=lot.id, ref=f"S-{n:02d}", device_id=device.id) for n in range(1, standard + 1)]
        spots += [Spot(lot_id=lot.id, ref=f"C-{n:02d}", category="carpool", device_id=device.id)
                  for n in range(1, carpool + 1)]
        db.session.add_all(spots)
        db.session.commit()
        return SimpleNamespace(lot=lot, device=device, key=key, lot_id=lot.id, device_id=device.id,
                               spots={spot.ref: spot.id for spot in spots})


@pytest.fixture
def lot(autun):
    return build_lot(autun.territory)


def send(client, slug, key, body):
    """POST a body to the sensor API with a sensor key."""
    return client.post(API.format(slug=slug), json=body, headers={"X-Sensor-Key": key} if key else {})


def count(model, **filters):
    from sqlalchemy import func, select

    query = select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True})
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def spot_state(spot_id):
    """(status, observed_at) of a spot, read fresh from the database."""
    from coopserv_plugins.smart_parking.models import Spot
    from sqlalchemy import select

    db.session.expire_all()
    return db.session.execute(select(Spot.status, Spot.status_observed_at).where(Spot.id == spot_id)
                              .execution_options(**{ALL_TERRITORIES: True})).one()


class FakeMobility:
    """Stands in for the mobility plugin: crews and alternatives decided by the test."""

    def __init__(self, crew_user_ids=(), alternatives=()):
        self.crew_user_ids = set(crew_user_ids)
        self.alternatives = list(alternatives)
        self.asked = []

    def carpool_crew_for(self, user, day):
        self.asked.append((user.id, day))
        if user.id in self.crew_user_ids:
            return {"crew_id": 7, "label": "Équipage Autun–Épinac", "size": 3}
        return None

    def mobility_alternatives(self, business_park):
        return [dict(item, park=business_park) for item in self.alternatives]


@pytest.fixture
def fake_mobility(app):
    """Register a FakeMobility as a plugin for this test (pluggy ``register``), removed afterwards."""
    from coopserv.plugin_api import hookimpl

    fake = FakeMobility()

    class Plugin:
        @staticmethod
        @hookimpl
        def carpool_crew_for(user, day):
            return fake.carpool_crew_for(user, day)

        @staticmethod
        @hookimpl
        def mobility_alternatives(business_park):
            return fake.mobility_alternatives(business_park)

    manager = app.extensions["coopserv"].pm
    manager.register(Plugin, name="fake_mobility")
    yield fake
    manager.unregister(name="fake_mobility")


@pytest.fixture
def no_mobility(app):
    """Leave out any real mobility plugin, to check smart parking works when nobody answers its hooks."""
    manager = app.extensions["coopserv"].pm
    plugin = manager.get_plugin("mobility")
    if plugin is not None:
        manager.unregister(name="mobility")
    yield
    if plugin is not None:
        manager.register(plugin, name="mobility")
