"""The needs endpoints: the board, expressing a need, supporting one; territory-scoped tokens."""
import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.needs import services as needs
from coopserv.needs.models import Need, NeedSupport
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.tokens.services import create_token


@pytest.fixture
def tokens(figeac, autun):
    with territory_scope(figeac.territory):
        needs.ensure_categories()
        mobility = needs.category_by_key("mobility").id
        made = {who: create_token(getattr(figeac, who), figeac.territory, "t")[1]
                for who in ("employee", "colleague", "referent", "admin")}
    with territory_scope(autun.territory):
        made["autun"] = create_token(autun.employee, autun.territory, "t")[1]
    made["mobility"] = mobility
    return made


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def test_express_support_and_rank(client, figeac, tokens):
    need = {"title": "Navette depuis la gare", "description": "Les horaires de train ne collent pas aux équipes.",
            "category_id": tokens["mobility"]}
    created = client.post("/api/v1/territories/figeac/needs/", json=need, headers=_auth(tokens["employee"]))
    assert created.status_code == 201, created.get_json()
    need_id = created.get_json()["id"]
    assert created.get_json()["weight"] == 1
    # The referent answers for the company: 40 employees concerned.
    supported = client.post(f"/api/v1/territories/figeac/needs/{need_id}/supports", json={"employees_affected": 40},
                            headers=_auth(tokens["referent"]))
    assert supported.status_code == 201 and supported.get_json()["weight"] == 41
    again = client.post(f"/api/v1/territories/figeac/needs/{need_id}/supports", json={},
                        headers=_auth(tokens["referent"]))
    assert again.status_code == 409 and again.get_json()["message"]
    board = client.get("/api/v1/territories/figeac/needs/", headers=_auth(tokens["admin"])).get_json()
    assert [(n["id"], n["supports"], n["weight"]) for n in board] == [(need_id, 2, 41)]


def test_bad_need_gets_field_errors_and_nothing_is_stored(client, figeac, tokens):
    response = client.post("/api/v1/territories/figeac/needs/", headers=_auth(tokens["employee"]),
                           json={"title": "Bus", "category_id": 99999, "scope": "company"})
    assert response.status_code == 422
    assert {"title", "description"} <= set(response.get_json()["errors"])
    employee_for_company = client.post("/api/v1/territories/figeac/needs/", headers=_auth(tokens["employee"]), json={
        "title": "Navette", "description": "Une navette depuis la gare.", "category_id": tokens["mobility"],
        "scope": "company", "employees_affected": 300})
    assert employee_for_company.status_code == 422 and "scope" in employee_for_company.get_json()["errors"]
    assert _count(Need) == 0


def test_needs_of_one_territory_are_out_of_reach_of_another(client, figeac, tokens):
    with territory_scope(figeac.territory):
        need = needs.submit_need({"title": "Crèche secrète", "description": "Des places pour les équipes.",
                                  "category_id": tokens["mobility"], "employees_affected": 1},
                                 figeac.employee, figeac.aero, False)
    assert client.get("/api/v1/territories/figeac/needs/", headers=_auth(tokens["autun"])).status_code == 403
    stray = client.post(f"/api/v1/territories/autun-morvan/needs/{need.id}/supports", json={},
                        headers=_auth(tokens["autun"]))
    assert stray.status_code == 404
    assert "Crèche secrète" not in client.get("/api/v1/territories/autun-morvan/needs/",
                                              headers=_auth(tokens["autun"])).get_data(as_text=True)
    assert _count(NeedSupport) == 0
