"""Concierge fixtures: a territory whose concierge has a catalogue and a pickup slot."""
from datetime import time, timedelta
from types import SimpleNamespace

import pytest

from coopserv.plugin_api import db, territory_scope, utcnow


@pytest.fixture
def figeac(make_territory, make_organization, make_user, enable_module):
    """A small Figeac: two companies, an employee, a referent, an admin, a concierge operator."""
    from types import SimpleNamespace

    territory = make_territory("figeac", "Figeac")
    aero = make_organization(territory, "Figeac Aéro", employee_count=1200)
    menuiserie = make_organization(territory, "Menuiserie du Célé", employee_count=22)
    module = enable_module(territory, "concierge", stage="perennial")
    return SimpleNamespace(
        territory=territory, aero=aero, menuiserie=menuiserie, module=module,
        employee=make_user(territory, "employee", aero, email="camille@aero.example"),
        colleague=make_user(territory, "employee", menuiserie, email="lou@menuiserie.example"),
        referent=make_user(territory, "company_referent", aero, email="rh@aero.example"),
        admin=make_user(territory, "territory_admin", email="admin@figeac.example"),
        operator=make_user(territory, "service_operator", module=module, email="concierge@figeac.example"),
    )


@pytest.fixture
def autun(make_territory, make_organization, make_user, enable_module):
    """Another territory, to check that nothing of Figeac leaks into it and back."""
    from types import SimpleNamespace

    territory = make_territory("autun-morvan", "Autun Morvan")
    company = make_organization(territory, "Morvan Électronique")
    module = enable_module(territory, "concierge", stage="perennial")
    return SimpleNamespace(
        territory=territory, company=company, module=module,
        employee=make_user(territory, "employee", company, email="dominique@morvan.example"),
        admin=make_user(territory, "territory_admin", email="admin@autun.example"),
        operator=make_user(territory, "service_operator", module=module, email="concierge@autun.example"),
    )


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
    day = utcnow().date() + timedelta(days=at_least_days)
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
