"""A network's coordinators see its territories side by side; nobody sees a network they are not part of."""
import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.indicators.services import set_sharing
from coopserv.needs import services as needs
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow
from tests.helpers import text_of

from tests.network.conftest import decided_project

COORDINATOR_PAGES = ["/n/adefpat/", "/n/adefpat/indicators", "/n/adefpat/projects", "/n/adefpat/decisions",
                     "/n/adefpat/tokens", "/n/adefpat/events/new"]
MEMBER_PAGES = ["/n/adefpat/practices/", "/n/adefpat/events/"]


@pytest.fixture
def projects(network):
    return {
        "figeac": decided_project(network.figeac.territory, network.figeac.module, "Conciergerie de Figeac"),
        "autun": decided_project(network.autun.territory, network.autun.module, "Conciergerie d'Autun", "stopped"),
        "lot": decided_project(network.lot.territory, network.lot.territory and _module(network.lot.territory),
                               "Conciergerie secrète du Lot"),
    }


def _module(territory):
    from coopserv.modules.services import get_module

    with territory_scope(territory):
        return get_module("concierge")


def test_coordinators_see_their_territories_projects_and_decisions_and_nothing_else(network, projects, login):
    client = login(network.coordinator)
    for path in COORDINATOR_PAGES + MEMBER_PAGES:
        assert client.get(path).status_code == 200, path
    page = text_of(client.get("/n/adefpat/projects"))
    assert "Conciergerie de Figeac" in page and "Conciergerie d'Autun" in page
    assert "Conciergerie secrète du Lot" not in page and "Lot" not in text_of(client.get("/n/adefpat/"))
    decisions = text_of(client.get("/n/adefpat/decisions"))
    assert "Conciergerie de Figeac" in decisions and "Conciergerie secrète" not in decisions
    assert "9 / 1 / 2" in decisions
    only_autun = text_of(client.get(f"/n/adefpat/projects?territory={network.autun.territory.id}"))
    assert "Conciergerie d'Autun" in only_autun and "Conciergerie de Figeac" not in only_autun
    # Asking for Lot's projects through the filter gives nothing.
    assert "Conciergerie secrète" not in text_of(client.get(f"/n/adefpat/projects?territory={network.lot.territory.id}"))


def test_other_people_are_refused(network, projects, login, client):
    for path in COORDINATOR_PAGES + MEMBER_PAGES:
        assert client.get(path).status_code == 302 and "/login" in client.get(path).headers["Location"]
    for person in (network.other_coordinator, network.lot.admin, network.lot.employee):
        other = login(person)
        for path in COORDINATOR_PAGES + MEMBER_PAGES:
            assert other.get(path).status_code == 403, (person.email, path)
    for person in (network.figeac.admin, network.autun.employee):
        member = login(person)
        for path in COORDINATOR_PAGES:
            assert member.get(path).status_code == 403, (person.email, path)
        for path in MEMBER_PAGES:
            assert member.get(path).status_code == 200, (person.email, path)
    assert login(network.coordinator).get("/n/causses/").status_code == 403
    assert login(network.coordinator).get("/n/nowhere/").status_code == 404


def test_a_coordinator_has_no_access_inside_a_territory(network, login):
    client = login(network.coordinator)
    for path in ("/t/figeac/admin/", "/t/figeac/admin/members", "/t/figeac/needs/", "/t/figeac/practices/",
                 "/t/figeac/indicators/"):
        assert client.get(path).status_code == 403, path


def test_indicators_side_by_side_cover_only_territories_that_share_them(network, login):
    for side, shared in ((network.figeac, True), (network.autun, False)):
        with territory_scope(side.territory):
            needs.ensure_categories()
            for number in range(3 if shared else 5):
                needs.submit_need({"title": f"Besoin {number}", "description": "Une navette.",
                                   "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                                  side.employee, side.employee and _employer(side), False)
            set_sharing("needs.expressed", compare=shared, public=False)
    with territory_scope(network.lot.territory):
        set_sharing("needs.expressed", compare=True, public=False)
    client = login(network.coordinator)
    this_month = utcnow().strftime("%Y-%m")
    page = text_of(client.get(f"/n/adefpat/indicators/needs.expressed?start={this_month}&end={this_month}"))
    assert "Figeac" in page and "Lot" not in page
    # 3 needs for 1,200 + 22 employees: 2.45 per 1,000.
    assert "2,45" in page or "2.45" in page
    assert "Autun" not in page.split("<table")[1].split("</table>")[0]
    matrix = text_of(client.get(f"/n/adefpat/indicators?month={this_month}"))
    row = next(line for line in matrix.split("<tr>") if "needs.expressed" in line)
    assert "2,45" in row or "2.45" in row
    assert "Lot" not in matrix


def test_closed_months_are_read_from_the_snapshots(network, login):
    from datetime import timedelta

    from coopserv.indicators.models import IndicatorSnapshot
    from coopserv.indicators.services import month_start

    last_month = month_start(month_start(utcnow().date()) - timedelta(days=1))
    for side in (network.figeac, network.autun):
        with territory_scope(side.territory):
            set_sharing("governance.meetings", compare=side is network.figeac, public=False)
            db.session.add(IndicatorSnapshot(module_id=None, indicator_key="governance.meetings", month=last_month,
                                             value=42 if side is network.figeac else 99))
            db.session.commit()
    client = login(network.coordinator)
    matrix = text_of(client.get("/n/adefpat/indicators"))
    row = next(line for line in matrix.split("<tr>") if "governance.meetings" in line)
    assert "42" in row and "99" not in row
    history = text_of(client.get("/n/adefpat/indicators/governance.meetings")).split('id="history"')[1]
    assert "42" in history and "99" not in history


def _employer(side):
    return getattr(side, "aero", None) or side.company


def test_network_pages_cost_a_fixed_number_of_queries(network, login, count_queries):
    make = decided_project

    client = login(network.coordinator)

    def queries(path):
        client.get(path)
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    make(network.figeac.territory, network.figeac.module, "Premier projet")
    before = {path: queries(path) for path in ("/n/adefpat/", "/n/adefpat/projects", "/n/adefpat/decisions")}
    for number in range(6):
        make(network.figeac.territory, network.figeac.module, f"Projet {number}")
    after = {path: queries(path) for path in before}
    assert before == after
