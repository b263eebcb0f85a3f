"""Spouse welcome fixtures: Figeac with its member companies, the people around a case, and a form."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, db, local_today, territory_scope


@pytest.fixture
def figeac(make_territory, make_organization, make_user, enable_module):
    """Figeac running spouse welcome as a pilot with Figeac Aéro and Ratier-Figeac."""
    territory = make_territory("figeac", "Figeac")
    aero = make_organization(territory, "Figeac Aéro", sector="Aéronautique", employee_count=1200)
    ratier = make_organization(territory, "Ratier-Figeac", sector="Aéronautique", employee_count=900)
    menuiserie = make_organization(territory, "Menuiserie du Célé", sector="Bois", employee_count=22)
    grand_figeac = make_organization(territory, "Grand-Figeac", kind="local_authority", sector="Collectivité")
    accueil = make_organization(territory, "Figeac Accueil", kind="association", sector="Accueil")
    module = enable_module(territory, "spouse_welcome", stage="pilot", pilots=(aero, ratier))
    return SimpleNamespace(
        territory=territory, aero=aero, ratier=ratier, menuiserie=menuiserie, grand_figeac=grand_figeac,
        accueil=accueil, module=module,
        employee=make_user(territory, "employee", aero, email="camille@aero.example", name="Camille Martin"),
        colleague=make_user(territory, "employee", aero, email="lou@aero.example", name="Lou Garcia"),
        ratier_employee=make_user(territory, "employee", ratier, email="nico@ratier.example"),
        menuiserie_employee=make_user(territory, "employee", menuiserie, email="sam@menuiserie.example"),
        referent=make_user(territory, "company_referent", aero, email="rh@aero.example"),
        ratier_referent=make_user(territory, "company_referent", ratier, email="rh@ratier.example"),
        menuiserie_referent=make_user(territory, "company_referent", menuiserie, email="rh@menuiserie.example"),
        admin=make_user(territory, "territory_admin", email="admin@figeac.example"),
        operator=make_user(territory, "service_operator", module=module, email="accueil@figeac.example",
                           name="Anne Welcome"),
    )


@pytest.fixture
def autun(make_peopled_territory):
    """Another territory, to check that nothing of Figeac leaks into it."""
    town = make_peopled_territory('autun-morvan', 'Autun Morvan', services=('spouse_welcome',), organizations=[('Morvan Électronique', 35)],
                                  emails={'employee': 'dominique@morvan.example', 'referent': 'rh@morvan.example', 'admin': 'admin@autun.example', 'operator': 'accueil@autun.example'})
    town.company = town.organizations[0]
    return town


@pytest.fixture
def case_form():
    """Form fields of a valid case: a joiner with two children, arriving in three weeks."""
    return {
        "partner_first_name": "Thomas",
        "profession": "Menuisier agenceur",
        "skills": "Agencement, pose de cuisines",
        "languages": "français, espagnol",
        "sectors": "Bois, Aéronautique",
        "housing_needs": "Maison à louer près d'une école",
        "children_ages": "2, 7",
        "arrival_date": (local_today() + timedelta(days=21)).isoformat(),
    }


def all_rows(model, **filters):
    return db.session.scalars(select(model).filter_by(**filters).execution_options(**{ALL_TERRITORIES: True})).all()


def request_id_from(response):
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def open_case(make_client, figeac, case_form):
    """Open a case through the core request flow as ``user`` (Figeac's employee by default); return the Case."""
    from coopserv_plugins.spouse_welcome.models import Case

    def opener(user=None, **changes):
        client = make_client()
        client.login(user or figeac.employee)
        response = client.post_form("/t/figeac/services/spouse_welcome/requests", dict(case_form, **changes))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        with territory_scope(figeac.territory):
            return db.session.scalar(select(Case).filter_by(request_id=request_id_from(response)))

    return opener


@pytest.fixture
def login(make_client):
    """Return a signed-in client for a user."""
    def signed_in(user):
        client = make_client()
        client.login(user)
        return client

    return signed_in
