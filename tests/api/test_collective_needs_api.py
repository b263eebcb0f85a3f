"""What admins and the committee do with needs, through the API: merge a duplicate, group needs into a collective
need that passes the threshold, and put it on the next committee meeting's agenda (once); roles, field errors,
pagination and territory scope as on the portal."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.governance import services as governance
from coopserv.governance.models import AgendaItem
from coopserv.needs import services as needs
from coopserv.needs.models import CollectiveNeed, Need
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import utcnow
from coopserv.tokens.services import create_token

API = "/api/v1/territories/figeac/needs"


@pytest.fixture
def team(figeac, autun, make_user):
    """Tokens of Figeac's admin, a committee member, two employees of two companies, and Autun's admin; the
    threshold is two companies."""
    member = make_user(figeac.territory, "governance_member", figeac.menuiserie, name="Marc Delmas")
    with territory_scope(figeac.territory):
        needs.ensure_categories()
        needs.update_settings({"threshold_companies": 2, "threshold_employees": 500})
        tokens = {who: create_token(getattr(figeac, who), figeac.territory, "t")[1]
                  for who in ("admin", "employee", "colleague", "referent")}
        tokens["member"] = create_token(member, figeac.territory, "t")[1]
        mobility = needs.category_by_key("mobility").id
    with territory_scope(autun.territory):
        tokens["autun"] = create_token(autun.admin, autun.territory, "t")[1]
    return type("Team", (), {"tokens": tokens, "mobility": mobility})


def _call(client, team, who, method, url, body=None):
    kwargs = {"headers": {"Authorization": f"Bearer {team.tokens[who]}"}}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(url, **kwargs)


def _count(model, **filters):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters)
                             .execution_options(**{ALL_TERRITORIES: True}))


def _need(client, team, who, title):
    created = _call(client, team, who, "post", API + "/", {
        "title": title, "description": "Les horaires de train ne collent pas aux équipes.",
        "category_id": team.mobility})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_a_collective_need_passes_the_threshold_and_goes_on_the_agenda_once(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    first = _need(client, team, "employee", "Navette depuis la gare")
    second = _need(client, team, "colleague", "Bus du matin vers la zone")
    body = {"title": "Mobilité vers la zone", "need_ids": [first]}
    assert call("member", "post", API + "/collective", body).status_code == 403  # admins group needs
    created = call("admin", "post", API + "/collective", body)
    assert created.status_code == 201, created.get_json()
    collective = created.get_json()
    assert (collective["need_ids"], collective["companies"], collective["flagged_at"]) == ([first], 1, None)
    url = f"{API}/collective/{collective['id']}"
    # Not past the threshold: it cannot go on the agenda.
    refused = call("member", "post", url + "/agenda")
    assert refused.status_code == 409 and "seuil" in refused.get_json()["message"]
    # A second company's need joins: two companies, the threshold is passed.
    assert call("employee", "post", url + "/needs", {"need_id": second}).status_code == 403
    joined = call("admin", "post", url + "/needs", {"need_id": second})
    assert joined.status_code == 200, joined.get_json()
    assert (joined.get_json()["need_ids"], joined.get_json()["companies"]) == ([first, second], 2)
    assert joined.get_json()["flagged_at"] is not None
    # No meeting planned yet: the call says why nothing happened.
    nothing = call("member", "post", url + "/agenda")
    assert nothing.status_code == 409 and "réunion" in nothing.get_json()["message"]
    with territory_scope(figeac.territory):
        governance.create_meeting({"title": "Comité d'automne", "starts_at": utcnow() + timedelta(days=60)},
                                  figeac.admin)
        soon = governance.create_meeting({"title": "Comité de printemps",
                                          "starts_at": utcnow() + timedelta(days=9)}, figeac.admin)
    assert call("employee", "post", url + "/agenda").status_code == 403
    scheduled = call("member", "post", url + "/agenda")
    assert scheduled.status_code == 201, scheduled.get_json()
    item = scheduled.get_json()
    assert (item["meeting_id"], item["collective_need_id"]) == (soon.id, collective["id"])
    assert "Mobilité vers la zone" in item["title"]
    again = call("admin", "post", url + "/agenda")
    assert again.status_code == 200 and again.get_json()["id"] == item["id"]
    assert _count(AgendaItem, collective_need_id=collective["id"]) == 1
    # Everyone in the territory reads the collective needs, past the threshold first, with X-Pagination.
    call("admin", "post", API + "/collective", {"title": "Garde d'enfants le samedi",
                                               "need_ids": [_need(client, team, "employee", "Crèche")]})
    listed = call("employee", "get", API + "/collective?page_size=1")
    assert listed.status_code == 200 and [c["id"] for c in listed.get_json()] == [collective["id"]]
    assert '"total": 2' in listed.headers["X-Pagination"]
    assert call("employee", "get", url).get_json()["employees"] == 2


def test_an_admin_merges_a_duplicate_and_its_supporters_follow(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    kept = _need(client, team, "employee", "Navette depuis la gare")
    duplicate = _need(client, team, "colleague", "Une navette depuis la gare SNCF")
    assert call("referent", "post", f"{API}/{duplicate}/merge", {"target_id": kept}).status_code == 403
    merged = call("admin", "post", f"{API}/{duplicate}/merge", {"target_id": kept})
    assert merged.status_code == 200, merged.get_json()
    assert (merged.get_json()["id"], merged.get_json()["supports"]) == (kept, 2)
    # Merging into itself or into a need already merged is a field error; an unknown need is one too.
    for target in (kept, 10 ** 6):
        refused = call("admin", "post", f"{API}/{kept}/merge", {"target_id": target})
        assert refused.status_code == 422 and "target_id" in refused.get_json()["errors"]
    assert call("admin", "post", f"{API}/{kept}/merge", {"target_id": "la gare"}).status_code == 422
    assert call("admin", "post", f"{API}/{10 ** 6}/merge", {"target_id": kept}).status_code == 404
    with territory_scope(figeac.territory):
        assert db.session.get(Need, duplicate).status == "merged"
        assert db.session.get(Need, kept).status != "merged"
    board = call("admin", "get", API + "/").get_json()
    assert [(n["id"], n["supports"]) for n in board] == [(kept, 2)]


def test_bad_collective_needs_store_nothing_and_territories_stay_apart(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    first = _need(client, team, "employee", "Navette depuis la gare")
    for body, field in (({"title": "Mobilité", "need_ids": []}, "need_ids"),
                        ({"title": "x", "need_ids": [first]}, "title"),
                        ({"title": "Mobilité", "need_ids": [first, 10 ** 6]}, "need_ids"),
                        ({"title": "Mobilité", "need_ids": ["un"]}, "need_ids")):
        refused = call("admin", "post", API + "/collective", body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], refused.get_json()
    assert _count(CollectiveNeed) == 0
    collective = call("admin", "post", API + "/collective", {"title": "Mobilité", "need_ids": [first]}).get_json()
    url = f"{API}/collective/{collective['id']}"
    refused = call("admin", "post", url + "/needs", {"need_id": 10 ** 6})
    assert refused.status_code == 422 and "need_id" in refused.get_json()["errors"]
    assert call("admin", "post", f"{API}/collective/{10 ** 6}/needs", {"need_id": first}).status_code == 404
    # Autun's token opens nothing of Figeac's, and Figeac's collective need is not Autun's.
    assert call("autun", "get", url).status_code == 403
    assert call("autun", "post", url + "/agenda").status_code == 403
    assert client.get(f"/api/v1/territories/autun/needs/collective/{collective['id']}",
                      headers={"Authorization": f"Bearer {team.tokens['autun']}"}).status_code == 404
    with territory_scope(figeac.territory):
        reader = create_token(figeac.admin, figeac.territory, "lecture", read_only=True)[1]
    read_only = client.post(url + "/needs", json={"need_id": first}, headers={"Authorization": f"Bearer {reader}"})
    assert read_only.status_code == 403 and "read-only" in read_only.get_json()["message"]
