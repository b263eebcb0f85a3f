"""Confidentiality, roles and tenant isolation on every route of the blueprint."""
import pytest
from coopserv_plugins.spouse_welcome.models import Case, HiringNeed, Introduction, Step

from coopserv.plugin_api import db, territory_scope

from .conftest import all_rows


@pytest.fixture
def full_case(figeac, open_case, login):
    """A case with a step, an introduction and a hiring need, to aim every route at."""
    case = open_case()
    operator = login(figeac.operator)
    operator.post_form(f"/t/figeac/spouse-welcome/cases/{case.id}/introductions",
                       {"organization_id": str(figeac.menuiserie.id)})
    with territory_scope(figeac.territory):
        need = HiringNeed(organization_id=figeac.ratier.id, profession="Menuisier")
        db.session.add(need)
        db.session.commit()
    return {"case": case.id, "step": all_rows(Step, case_id=case.id)[0].id, "intro": all_rows(Introduction)[0].id,
            "need": need.id, "request": case.request_id}


CASE_ROUTES = [
    ("get", "/spouse-welcome/cases/{case}"),
    ("post", "/spouse-welcome/cases/{case}/assign"),
    ("post", "/spouse-welcome/cases/{case}/steps"),
    ("post", "/spouse-welcome/cases/{case}/introductions"),
    ("post", "/spouse-welcome/cases/{case}/follow-up"),
    ("post", "/spouse-welcome/steps/{step}/toggle"),
    ("post", "/spouse-welcome/introductions/{intro}/outcome"),
    ("get", "/requests/{request}"),
]
OPERATOR_ROUTES = CASE_ROUTES[1:-1] + [("get", "/spouse-welcome/cases")]
ALL_ROUTES = CASE_ROUTES + [
    ("get", "/spouse-welcome/cases"),
    ("get", "/spouse-welcome/referent"),
    ("post", "/spouse-welcome/referent/cases"),
    ("get", "/spouse-welcome/hiring-needs"),
    ("post", "/spouse-welcome/hiring-needs"),
    ("post", "/spouse-welcome/hiring-needs/{need}/toggle"),
]
SNAPSHOT_FIELDS = ("referent_id", "partner_first_name")


def _call(client, method, path, ids, slug="figeac"):
    url = f"/t/{slug}" + path.format(**ids)
    if method == "get":
        return client.get(url)
    return client.post_form(url, {"label": "Intrusion", "referent_id": "1", "organization_id": "1",
                                  "outcome": "hired", "still_in_territory": "true", "profession": "Espion",
                                  "employee_id": "1"})


def _snapshot():
    return ([(c.referent_id, c.partner_first_name) for c in all_rows(Case)],
            sorted((s.id, s.done_at) for s in all_rows(Step)), [(i.id, i.outcome) for i in all_rows(Introduction)],
            [(n.id, n.active, n.profession) for n in all_rows(HiringNeed)])


@pytest.mark.parametrize("who", ["ratier_referent", "colleague", "referent", "ratier_employee", "admin"])
@pytest.mark.parametrize("method,path", CASE_ROUTES)
def test_only_the_family_and_the_welcome_team_see_a_case(login, figeac, full_case, who, method, path):
    """Another company's referent, another employee, the employer's referent, even the territory admin:
    403, nothing changes."""
    before = _snapshot()
    response = _call(login(getattr(figeac, who)), method, path, full_case)
    assert response.status_code == 403
    assert "Thomas" not in response.get_data(as_text=True)
    assert _snapshot() == before


@pytest.mark.parametrize("method,path", OPERATOR_ROUTES)
def test_the_family_cannot_reach_operator_actions(login, figeac, full_case, method, path):
    before = _snapshot()
    assert _call(login(figeac.employee), method, path, full_case).status_code == 403
    assert _snapshot() == before


def test_the_welcome_team_sees_the_case(login, figeac, full_case):
    page = login(figeac.operator).get(f"/t/figeac/spouse-welcome/cases/{full_case['case']}")
    assert page.status_code == 200 and "Thomas" in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["operator", "admin", "employee", "referent"])
@pytest.mark.parametrize("method,path", ALL_ROUTES)
def test_another_territory_never_sees_figeac(login, figeac, autun, full_case, who, method, path):
    """People of Autun get 403 under Figeac's address and 404 for Figeac's ids under their own."""
    client = login(getattr(autun, who))
    before = _snapshot()
    foreign = _call(client, method, path, full_case)
    assert foreign.status_code in (403, 404)
    body = foreign.get_data(as_text=True)
    if "{" in path:  # Figeac's ids under Autun's own address
        own = _call(client, method, path, full_case, slug="autun-morvan")
        assert own.status_code in (403, 404)
        body += own.get_data(as_text=True)
    assert "Thomas" not in body and "Menuiserie du Célé" not in body
    assert _snapshot() == before


def test_portal_home_panel_links_each_person_to_their_pages(login, figeac, open_case):
    case = open_case()
    family = login(figeac.employee).get("/t/figeac/").get_data(as_text=True)
    assert f"/t/figeac/spouse-welcome/cases/{case.id}" in family
    referent = login(figeac.referent).get("/t/figeac/").get_data(as_text=True)
    assert "/t/figeac/spouse-welcome/referent" in referent and f"/spouse-welcome/cases/{case.id}" not in referent
    assert "/t/figeac/spouse-welcome/cases" in login(figeac.operator).get("/t/figeac/").get_data(as_text=True)
    outsider = login(figeac.menuiserie_referent).get("/t/figeac/").get_data(as_text=True)
    assert "spouse-welcome" not in outsider
