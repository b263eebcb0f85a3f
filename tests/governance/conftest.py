"""Governance fixtures: Grand Quercy's committee (two public, two company, one association seat) and Lot."""
from types import SimpleNamespace

import pytest


@pytest.fixture
def quercy(make_territory, make_organization, make_user):
    territory = make_territory("grand-quercy", "Grand Quercy")
    authority = make_organization(territory, "Communauté de communes Quercy-Bouriane", kind="local_authority")
    cannery = make_organization(territory, "Conserverie du Quercy", kind="company", employee_count=60)
    builder = make_organization(territory, "Bouriane Bâtiment", kind="company", employee_count=18)
    club = make_organization(territory, "Club des entrepreneurs", kind="association")
    member = lambda org, name: make_user(territory, "governance_member", org, name=name)
    return SimpleNamespace(
        territory=territory, authority=authority, cannery=cannery, builder=builder, club=club,
        admin=make_user(territory, "territory_admin", name="Admin Quercy"),
        mayor=member(authority, "Martine Delpech"), technician=member(authority, "Julien Vayssié"),
        leader=member(cannery, "Hélène Cassagnes"), builder_boss=member(builder, "Pierre Lacombe"),
        club_chair=member(club, "Nadia Bouzid"),
        referent=make_user(territory, "company_referent", cannery, name="Référente Conserverie"),
        employee=make_user(territory, "employee", cannery, name="Camille Martin"),
    )


@pytest.fixture
def lot(make_territory, make_organization, make_user):
    """Another territory: its people must never see or change Grand Quercy's governance."""
    territory = make_territory("lot", "Lot")
    company = make_organization(territory, "Fournil de Gourdon", kind="company")
    return SimpleNamespace(
        territory=territory, company=company,
        admin=make_user(territory, "territory_admin", name="Admin Lot"),
        member=make_user(territory, "governance_member", company, name="Membre Lot"),
        employee=make_user(territory, "employee", company, name="Salarié Lot"),
    )


@pytest.fixture
def login(make_client):
    """Return a signed-in client for a user."""

    def factory(user):
        client = make_client()
        client.login(user)
        return client

    return factory

