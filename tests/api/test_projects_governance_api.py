"""The project and governance endpoints: a project walked from idea to a decision by a committee vote, the
charter's rule that a vote cannot weaken, the portal's roles, field errors, pagination and territory scope."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from coopserv.extensions import db
from coopserv.governance.models import AgendaItem, CharterVersion, Meeting, Risk
from coopserv.projects.models import ServiceProject
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import local_today, utcnow
from coopserv.tokens.services import create_token

API = "/api/v1/territories/figeac"


@pytest.fixture
def team(figeac, autun, make_user):
    """Figeac's committee (one seat per college) and tokens for everyone who acts through the API."""
    grand_figeac = _organization(figeac.territory, "Grand-Figeac", "local_authority")
    accueil = _organization(figeac.territory, "Figeac Accueil", "association")
    people = {
        "mayor": make_user(figeac.territory, "governance_member", grand_figeac, name="Vincent Labarthe"),
        "boss": make_user(figeac.territory, "governance_member", figeac.aero, name="Marc Delmas"),
        "chair": make_user(figeac.territory, "governance_member", accueil, name="Élise Fabre"),
    }
    with territory_scope(figeac.territory):
        # The committee is these three: the peopled territory's own governance member leaves it.
        from coopserv.accounts.models import Membership

        db.session.execute(delete(Membership).where(Membership.user_id == figeac.governance.id,
                                                    Membership.role == "governance_member"))
        db.session.commit()
        tokens = {who: create_token(getattr(figeac, who), figeac.territory, "t")[1]
                  for who in ("admin", "employee", "referent")}
        tokens.update({who: create_token(user, figeac.territory, "t")[1] for who, user in people.items()})
    with territory_scope(autun.territory):
        tokens["autun"] = create_token(autun.admin, autun.territory, "t")[1]
    return type("Team", (), {"tokens": tokens, "grand_figeac": grand_figeac, "accueil": accueil, **people})


def _organization(territory, name, kind):
    from coopserv.organizations.models import Organization

    with territory_scope(territory):
        organization = Organization(name=name, kind=kind)
        db.session.add(organization)
        db.session.commit()
        return organization


def _call(client, team, who, method, path, body=None):
    headers = {"Authorization": f"Bearer {team.tokens[who]}"}
    return getattr(client, method)(API + path, json=body, headers=headers) if body is not None else \
        getattr(client, method)(API + path, headers=headers)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def test_a_project_goes_from_idea_to_a_decision_taken_by_a_committee_vote(client, figeac, team):
    call = lambda who, method, path, body=None: _call(client, team, who, method, path, body)
    assert call("referent", "post", "/projects/", {"title": "Conciergerie", "origin_text": "Soirée"}).status_code == 403
    created = call("admin", "post", "/projects/", {"title": "Conciergerie de la ZA", "origin_text": "Soirée des "
                                                   "dirigeants", "lead_id": figeac.referent.id})
    assert created.status_code == 201, created.get_json()
    project = created.get_json()
    assert (project["stage"], project["service_key"], project["decisions"]) == ("idea", None, [])
    url = f"/projects/{project['id']}"
    # The lead gives it a type, an experiment and a target; an employee may not.
    assert call("employee", "patch", url, {"service_key": "concierge"}).status_code == 403
    assert call("referent", "patch", url, {"service_key": "concierge"}).get_json()["service_key"] == "concierge"
    assert call("referent", "post", url + "/moves", {"to_stage": "design", "reason": "Étude lancée"}).status_code == 200
    today = local_today()
    assert call("referent", "put", url + "/experiment", {
        "experiment_start": (today - timedelta(days=30)).isoformat(), "experiment_end": today.isoformat(),
        "pilot_ids": [figeac.aero.id]}).status_code == 200
    target = call("referent", "post", url + "/targets", {"indicator_key": "concierge.orders", "target_value": 3})
    assert target.status_code == 201
    assert [t["indicator_key"] for t in call("employee", "get", url + "/targets").get_json()] == ["concierge.orders"]
    for stage in ("prototype", "evaluation"):
        assert call("referent", "post", url + "/moves", {"to_stage": stage, "reason": "Suite"}).status_code == 200
    # Leaving evaluation is not a move: it takes the committee's vote.
    refused = call("admin", "post", url + "/moves", {"to_stage": "decided", "reason": "Décidé"})
    assert refused.status_code == 422 and "to_stage" in refused.get_json()["errors"]

    # The charter says perennialisation takes two thirds and a majority in each college.
    charter = call("admin", "post", "/governance/charter/versions", {
        "text": "Article 3 — La pérennisation demande les deux tiers et une majorité dans chaque collège.",
        "adopted_on": today.isoformat(),
        "decision_rules": {"perennial": {"quorum_percent": 60, "majority": "two_thirds", "each_college": True}}})
    assert charter.status_code == 201, charter.get_json()
    assert charter.get_json()["decision_rules"]["perennial"] == {"quorum_percent": 60, "majority": "two_thirds",
                                                                 "each_college": True}
    local_time = (utcnow() - timedelta(hours=2)).replace(microsecond=0)  # read as 2 h ahead of UTC
    meeting = call("admin", "post", "/governance/meetings", {
        "title": "Comité de pilotage", "starts_at": local_time.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
        "place": "Figeac"}).get_json()
    proposal = {"title": "Pérenniser la conciergerie", "project_id": project["id"], "project_outcome": "perennial"}
    weaker = call("admin", "post", f"/governance/meetings/{meeting['id']}/items",
                  {**proposal, "majority": "simple", "quorum_percent": 10, "each_college": False})
    assert weaker.status_code == 422
    assert {"majority", "quorum_percent", "each_college"} <= set(weaker.get_json()["errors"])
    item = call("admin", "post", f"/governance/meetings/{meeting['id']}/items", {**proposal, "quorum_percent": 80})
    assert item.status_code == 201
    item = item.get_json()
    assert (item["majority"], item["each_college"], item["quorum_percent"], item["charter_version"]) == (
        "two_thirds", True, 80, 1)  # the charter's rule, made stricter on the quorum
    assert call("employee", "post", f"/governance/items/{item['id']}/votes", {"choice": "for"}).status_code == 403
    # First vote: the association college votes against, the project stays in evaluation.
    for who, choice in (("mayor", "for"), ("boss", "for"), ("chair", "against")):
        assert call(who, "post", f"/governance/items/{item['id']}/votes", {"choice": choice}).status_code == 200
    live = call("employee", "get", f"/governance/items/{item['id']}").get_json()
    assert live["vote_status"] == "open" and live["tally"]["totals"] == {"for": 2, "against": 1, "abstain": 0}
    assert call("mayor", "post", f"/governance/items/{item['id']}/close").status_code == 403
    closed = call("admin", "post", f"/governance/items/{item['id']}/close").get_json()
    assert (closed["result"], closed["result_reason"], closed["tally"]["failed_colleges"]) == (
        "rejected", "college_majority_failed", ["associations"])
    assert call("boss", "post", f"/governance/items/{item['id']}/votes", {"choice": "for"}).status_code == 409
    assert call("admin", "get", url).get_json()["stage"] == "evaluation"
    events = call("admin", "get", url + "/events").get_json()
    assert events[-1]["kind"] == "not_adopted" and events[-1]["agenda_item_id"] == item["id"]

    # Second vote: adopted; the decision names its vote.
    again = call("admin", "post", f"/governance/meetings/{meeting['id']}/items", proposal).get_json()
    for who in ("mayor", "boss", "chair"):
        call(who, "post", f"/governance/items/{again['id']}/votes", {"choice": "for"})
    assert call("admin", "post", f"/governance/items/{again['id']}/close").get_json()["result"] == "adopted"
    decided = call("employee", "get", url).get_json()
    assert (decided["stage"], decided["outcome"]) == ("decided", "perennial")
    assert [(d["outcome"], d["votes_for"], d["agenda_item_id"]) for d in call("employee", "get", url + "/decisions")
            .get_json()] == [("perennial", 3, again["id"])]
    assert call("employee", "get", url + "/evaluation").get_json()["results"][0]["indicator_key"] == "concierge.orders"
    with territory_scope(figeac.territory):
        stored = db.session.get(Meeting, meeting["id"]).starts_at
    assert stored == local_time - timedelta(hours=2)  # +02:00 stored as UTC


def test_committee_charter_signatures_actions_and_risks(client, figeac, team):
    call = lambda who, method, path, body=None: _call(client, team, who, method, path, body)
    committee = call("employee", "get", "/governance/committee").get_json()
    assert committee["counts"] == {"public": 1, "companies": 1, "associations": 1} and committee["balanced"]
    assert call("employee", "post", "/governance/committee/members", {"user_id": figeac.colleague.id}).status_code \
        == 403
    seated = call("admin", "post", "/governance/committee/members", {"user_id": figeac.colleague.id,
                                                                     "college": "companies"})
    assert seated.status_code == 201 and seated.get_json()["counts"]["companies"] == 2
    call("admin", "post", "/governance/charter/versions", {"text": "Le comité réunit collectivités et entreprises.",
                                                           "adopted_on": local_today().isoformat()})
    assert call("employee", "post", "/governance/charter/signatures",
                {"organization_id": figeac.aero.id}).status_code == 403
    assert call("referent", "post", "/governance/charter/signatures",
                {"organization_id": figeac.menuiserie.id}).status_code == 422  # not the referent's company
    signed = call("referent", "post", "/governance/charter/signatures", {"organization_id": figeac.aero.id,
                                                                          "funding_amount": 1500, "staff_days": 4})
    assert signed.status_code == 201 and signed.get_json()["funding_amount"] == 1500.0
    assert [s["organization"] for s in call("employee", "get", "/governance/charter/signatures").get_json()] == [
        "Figeac Aéro"]
    meeting = call("admin", "post", "/governance/meetings", {"title": "Comité", "starts_at": "2026-03-02T18:00:00"})
    meeting_id = meeting.get_json()["id"]
    action = call("admin", "post", f"/governance/meetings/{meeting_id}/actions", {
        "title": "Réunir les devis", "owner_id": team.boss.id, "due_on": "2026-03-20"}).get_json()
    assert call("mayor", "patch", f"/governance/actions/{action['id']}", {"status": "done"}).status_code == 403
    assert call("boss", "patch", f"/governance/actions/{action['id']}", {"status": "done"}).get_json()["status"] == \
        "done"
    assert [a["id"] for a in call("employee", "get", "/governance/actions?status=done").get_json()] == [action["id"]]
    risk = {"title": "Le dirigeant moteur part", "likelihood": 3, "impact": 4, "review_on": "2026-06-01"}
    assert call("boss", "post", "/governance/risks", risk).status_code == 403
    created = call("admin", "post", "/governance/risks", risk).get_json()
    assert created["score"] == 12
    assert call("admin", "put", f"/governance/risks/{created['id']}", {**risk, "impact": 5}).get_json()["score"] == 15
    assert call("employee", "get", "/governance/risks").status_code == 403
    assert [r["score"] for r in call("boss", "get", "/governance/risks").get_json()] == [15]


def test_bad_input_gets_field_errors_and_nothing_is_stored(client, figeac, team):
    call = lambda who, method, path, body=None: _call(client, team, who, method, path, body)
    cases = [
        # A control character is refused before anything else is read (coopserv.input_guard).
        ("/projects/", {"title": "Con\x00ciergerie", "origin_text": "Soirée"}, {"title"}),
        ("/projects/", {"title": "Conciergerie", "origin_text": "Soirée", "lead_id": 2**40}, {"lead_id"}),
        ("/projects/", {"title": "Ok titre", "origin_text": "x", "partner_ids": [0, -1]}, {"partner_ids"}),
        ("/governance/meetings", {"title": "Comité", "starts_at": "9999-12-31T23:00:00-14:00"}, {"starts_at"}),
        ("/governance/meetings", {"title": "\x07\x07\x07", "starts_at": "2026-12-01T18:00:00"}, {"title"}),
        ("/governance/meetings", {"title": "Comité", "starts_at": "not a date"}, {"starts_at"}),
        ("/governance/charter/versions", {"text": "Un texte de charte assez long pour passer.",
                                          "adopted_on": "2026-01-01",
                                          "decision_rules": {"perennial": {"quorum_percent": 101}, "whim": {}}},
         {"decision_rules"}),
        ("/governance/risks", {"title": "Risque", "likelihood": 9, "impact": 2**63, "review_on": "0001-01-01"},
         {"likelihood", "impact", "review_on"}),
    ]
    for path, body, fields_ in cases:
        response = call("admin", "post", path, body)
        assert response.status_code == 422, (path, response.get_json())
        assert fields_ <= set(response.get_json()["errors"]), (path, response.get_json())
    assert call("admin", "get", "/projects/2147483648").status_code == 404
    assert call("admin", "get", "/governance/items/99999999999").status_code == 404
    assert _count(ServiceProject) == _count(Meeting) == _count(CharterVersion) == _count(Risk) == 0


def test_lists_are_paginated(client, figeac, team):
    with territory_scope(figeac.territory):
        from coopserv.projects import services as projects

        for number in range(12):
            projects.create_project({"title": f"Projet {number:02d}", "origin_text": "Idée"}, figeac.admin)
    first = _call(client, team, "employee", "get", "/projects/?page=1&page_size=5")
    assert [p["title"] for p in first.get_json()] == [f"Projet {n:02d}" for n in (11, 10, 9, 8, 7)]
    assert json.loads(first.headers["X-Pagination"])["total"] == 12
    last = _call(client, team, "employee", "get", "/projects/?page=3&page_size=5").get_json()
    assert [p["title"] for p in last] == ["Projet 01", "Projet 00"]
    assert _call(client, team, "employee", "get", "/projects/?stage=nowhere").status_code == 422


def test_another_territory_reaches_nothing(client, figeac, autun, team):
    with territory_scope(figeac.territory):
        from coopserv.governance import services as governance
        from coopserv.projects import services as projects

        project = projects.create_project({"title": "Projet secret", "origin_text": "Idée"}, figeac.admin)
        meeting = governance.create_meeting({"title": "Comité secret", "starts_at": utcnow()}, figeac.admin)
        item = governance.add_agenda_item(meeting, {"title": "Vote secret", "proposal": "Oui ?", "with_vote": True},
                                          figeac.admin)
    headers = {"Authorization": f"Bearer {team.tokens['autun']}"}
    assert client.get(f"{API}/projects/", headers=headers).status_code == 403
    for path in (f"/projects/{project.id}", f"/governance/meetings/{meeting.id}", f"/governance/items/{item.id}"):
        assert client.get("/api/v1/territories/autun-morvan" + path, headers=headers).status_code == 404
    assert client.post(f"/api/v1/territories/autun-morvan/governance/items/{item.id}/close",
                       headers=headers).status_code == 404
    assert client.get(f"{API}/projects/").status_code == 401
    with territory_scope(figeac.territory):
        assert db.session.get(AgendaItem, item.id).vote_status == "open"
