"""Childminder house fixtures: Ouest Rhodanien with a small house, and another territory for isolation."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from coopserv.plugin_api import db, local_today, territory_scope


@pytest.fixture
def tarare(make_territory, make_organization, make_user, enable_module):
    """Tarare: a pilot company that sponsors, another company, parents, an admin and the MAM coordinator."""
    territory = make_territory("ouest-rhodanien", "Ouest Rhodanien")
    textiles = make_organization(territory, "Textiles de Tarare", employee_count=120)
    plasturgie = make_organization(territory, "Plasturgie Val de Turdine", employee_count=85)
    module = enable_module(territory, "childminder_house", stage="perennial")
    return SimpleNamespace(
        territory=territory, textiles=textiles, plasturgie=plasturgie, module=module,
        parent=make_user(territory, "employee", textiles, email="camille@textiles.example"),
        parent2=make_user(territory, "employee", plasturgie, email="lou@plasturgie.example"),
        parent3=make_user(territory, "employee", plasturgie, email="sam@plasturgie.example"),
        parent4=make_user(territory, "employee", textiles, email="alex@textiles.example"),
        admin=make_user(territory, "territory_admin", email="admin@ouest.example"),
        operator=make_user(territory, "service_operator", module=module, email="mam@ouest.example"),
    )


@pytest.fixture
def autun(make_peopled_territory):
    """Another territory running its own childminder house."""
    town = make_peopled_territory('autun-morvan', 'Autun Morvan', services=('childminder_house',), organizations=[('Morvan Électronique', 35)],
                                  emails={'employee': 'dominique@morvan.example', 'admin': 'admin@autun.example', 'operator': 'mam@autun.example'})
    town.company = town.organizations[0]
    town.parent = town.employee
    return town


def add_house(territory, childminders=((2, "01234", 8 * 60, 18 * 60),), sponsors=()):
    """A house open Monday to Friday 7:30-18:30 with childminders given as (max children, days, from, to)."""
    from coopserv_plugins.childminder_house.models import (
        Childminder,
        House,
        Sponsorship,
    )

    with territory_scope(territory):
        house = House(name="MAM Les P'tits Loups", address="Tarare", opening_days="01234", opens_at=7 * 60 + 30,
                      closes_at=18 * 60 + 30)
        db.session.add(house)
        for number, (max_children, days, starts_at, ends_at) in enumerate(childminders, 1):
            db.session.add(Childminder(house=house, name=f"Assistante {number}", max_children=max_children,
                                       days=days, starts_at=starts_at, ends_at=ends_at))
        for organization, places in sponsors:
            db.session.add(Sponsorship(house=house, organization_id=organization.id, places=places))
        db.session.commit()
        return house


@pytest.fixture
def house(tarare):
    """Two places, Monday to Friday 8:00-18:00 (one childminder taking two children)."""
    return add_house(tarare.territory)


def in_days(days):
    return (local_today() + timedelta(days=days)).isoformat()


def place_form(child="Léo", days=(0, 1, 2, 3, 4), starts="08:30", ends="17:30", start_in=7, **extra):
    """Form fields of a request: the child, per-day hours, a start date a week ahead."""
    form = {"child_first_name": child, "child_age_months": "14", "start_date": in_days(start_in)}
    for day in days:
        form[f"day{day}_start"] = starts
        form[f"day{day}_end"] = ends
    form.update(extra)
    return form


def ask(client, form):
    """Submit a request as ``client``; return its id."""
    response = client.post_form("/t/ouest-rhodanien/services/childminder_house/requests", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def clients(make_client, tarare):
    """Signed-in clients for each person of Tarare."""
    result = {}
    for handle in ("parent", "parent2", "parent3", "parent4", "operator", "admin"):
        client = make_client()
        client.login(getattr(tarare, handle))
        result[handle] = client
    return SimpleNamespace(**result)


def status_of(scoped, territory, request_id):
    from coopserv.plugin_api import ServiceRequest

    with scoped(territory):
        return db.session.get(ServiceRequest, request_id, populate_existing=True).status
