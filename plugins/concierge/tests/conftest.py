"""Concierge fixtures: a territory whose concierge has a catalogue and a pickup slot."""
from datetime import time, timedelta
from types import SimpleNamespace

import pytest

from coopserv.plugin_api import db, local_today, territory_scope


@pytest.fixture
def figeac(make_peopled_territory):
    """A small Figeac: two companies, people in every role, the concierge open to all."""
    town = make_peopled_territory(
        "figeac", "Figeac", services=("concierge",),
        organizations=[("Figeac Aéro", 1200), ("Menuiserie du Célé", 22)],
        emails={"employee": "camille@aero.example", "colleague": "lou@menuiserie.example",
                "referent": "rh@aero.example", "admin": "admin@figeac.example",
                "operator": "concierge@figeac.example"})
    town.aero, town.menuiserie = town.organizations
    return town


@pytest.fixture
def autun(make_peopled_territory):
    """Another territory, to check that nothing of Figeac leaks into it and back."""
    town = make_peopled_territory(
        "autun-morvan", "Autun Morvan", services=("concierge",), organizations=[("Morvan Électronique", 35)],
        emails={"employee": "dominique@morvan.example", "admin": "admin@autun.example",
                "operator": "concierge@autun.example"})
    town.company = town.organizations[0]
    return town


def add_catalogue(territory):
    from coopserv_plugins.concierge.models import CatalogItem, PickupPoint, PickupSlot, Provider

    with territory_scope(territory):
        pressing = Provider(name="Pressing du Célé", category="pressing")
        shirt = CatalogItem(provider=pressing, name="Chemise", price_cents=350)
        suit = CatalogItem(provider=pressing, name="Costume", price_cents=1490)
        point = PickupPoint(name="ZA de l'Aiguille")
        tuesday = PickupSlot(pickup_point=point, weekday=1, starts_at=time(11, 30), ends_at=time(14, 0))
        db.session.add_all([pressing, shirt, suit, point, tuesday])
        db.session.commit()
        return SimpleNamespace(pressing=pressing, shirt=shirt, suit=suit, point=point, tuesday=tuesday)


def next_weekday(weekday, at_least_days=1):
    day = local_today() + timedelta(days=at_least_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def catalogue(figeac):
    return add_catalogue(figeac.territory)


@pytest.fixture
def order_form(catalogue):
    """Form fields of a valid order: 3 shirts, dropped off next Tuesday."""
    return {
        f"items.{catalogue.shirt.id}": "3",
        "slot_id": str(catalogue.tuesday.id),
        "dropoff_date": next_weekday(1).isoformat(),
        "notes": "Amidon léger",
    }
