"""The network's API: coordinators' network tokens read the views; member territories' tokens read what is shared."""
from datetime import timedelta

import pytest

from coopserv.indicators.services import current_month
from coopserv.network import events as network_events
from coopserv.network import services
from coopserv.network.models import NetworkEventRegistration, NetworkToken, PracticeReplication, PracticeSheet
from coopserv.tenancy import territory_scope
from coopserv.timeutil import local_today
from coopserv.tokens.services import create_token
from tests.helpers import count_rows, rows
from tests.network.conftest import decided_project, login, lot, network  # noqa: F401 - fixtures


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(network):
    def territory_token(user, territory):
        with territory_scope(territory):
            return _auth(create_token(user, territory, "t")[1])

    decided_project(network.figeac.territory, network.figeac.module, "Conciergerie de Figeac")
    decided_project(network.lot.territory, _module(network.lot.territory), "Conciergerie secrète du Lot")
    event = network_events.save_event(network.network, {
        "kind": "transfer_workshop", "title": "Atelier de transfert", "starts_on": local_today() + timedelta(days=9),
        "place": "Gourdon", "organiser_ids": [network.aradel.id]})
    return {
        "coordinator": _auth(services.create_token(network.network, network.coordinator, "tableau")[1]),
        "other_coordinator": _auth(services.create_token(network.other, network.other_coordinator, "x")[1]),
        "figeac_admin": territory_token(network.figeac.admin, network.figeac.territory),
        "autun_admin": territory_token(network.autun.admin, network.autun.territory),
        "autun_employee": territory_token(network.autun.employee, network.autun.territory),
        "lot_admin": territory_token(network.lot.admin, network.lot.territory),
        "event": event,
    }


def _module(territory):
    from coopserv.modules.services import get_module

    with territory_scope(territory):
        return get_module("concierge")


def test_coordinators_read_projects_decisions_and_indicators_of_their_network_only(client, network, api):
    projects = client.get("/api/v1/networks/adefpat/projects", headers=api["coordinator"])
    assert projects.status_code == 200
    assert [(p["title"], p["territory"]["slug"], p["decision"]["outcome"]) for p in projects.get_json()] == [
        ("Conciergerie de Figeac", "figeac", "perennial")]
    by_stage = {row["territory"]["slug"]: row["stages"] for row in
                client.get("/api/v1/networks/adefpat/projects/by-stage", headers=api["coordinator"]).get_json()}
    assert by_stage == {"figeac": {"idea": 0, "design": 0, "prototype": 0, "evaluation": 0, "decided": 1},
                        "autun-morvan": {"idea": 0, "design": 0, "prototype": 0, "evaluation": 0, "decided": 0}}
    decisions = client.get("/api/v1/networks/adefpat/decisions", headers=api["coordinator"]).get_json()
    assert [d["project_title"] for d in decisions] == ["Conciergerie de Figeac"]
    assert client.get("/api/v1/networks/adefpat/projects?territory=lot", headers=api["coordinator"]).status_code == 422
    today = current_month()
    indicators = client.get(f"/api/v1/networks/adefpat/indicators?month={today}",
                            headers=api["coordinator"])
    assert indicators.status_code == 200 and indicators.get_json() == []  # nobody shares anything yet
    backwards = client.get(f"/api/v1/networks/adefpat/indicators/needs.expressed?start={today}&end=2000-01-01",
                           headers=api["coordinator"])
    assert backwards.status_code == 422
    for path in ("/projects", "/decisions", "/projects/by-stage", f"/indicators?month={today}"):
        assert client.get(f"/api/v1/networks/adefpat{path}", headers=api["figeac_admin"]).status_code == 403, path
        assert client.get(f"/api/v1/networks/adefpat{path}", headers=api["other_coordinator"]).status_code == 403
        assert client.get(f"/api/v1/networks/adefpat{path}", headers=api["lot_admin"]).status_code == 403
        assert client.get(f"/api/v1/networks/adefpat{path}").status_code == 401


def test_a_network_token_opens_nothing_in_territories(client, network, api):
    for path in ("/api/v1/territories/figeac/organizations/", "/api/v1/territories/figeac/members/",
                 "/api/v1/territories/figeac/events/"):
        assert client.get(path, headers=api["coordinator"]).status_code == 401


def test_members_browse_the_library_and_replicate_with_their_territory_token(client, network, api, login):
    project = decided_project(network.figeac.territory, network.figeac.module, "Conciergerie à partager")
    admin = login(network.figeac.admin)
    assert admin.post_form(f"/t/figeac/practices/publish/{project.id}", {
        "network_id": str(network.network.id), "context": "Une zone d'activité sans commerce.",
        "need": "Le pressing", "service": "Conciergerie", "lessons": "Deux pilotes motivés dès le départ."}
    ).status_code == 302
    sheet = rows(PracticeSheet)[0]
    listed = client.get("/api/v1/networks/adefpat/practices?q=pressing", headers=api["autun_employee"])
    assert [(s["id"], s["replicable"], s["territory"]["slug"]) for s in listed.get_json()] == [
        (sheet.id, True, "figeac")]
    detail = client.get(f"/api/v1/networks/adefpat/practices/{sheet.id}", headers=api["coordinator"]).get_json()
    assert detail["lessons"] == "Deux pilotes motivés dès le départ." and detail["results"][0]["target"] == 20.0
    assert client.get(f"/api/v1/networks/causses/practices/{sheet.id}", headers=api["lot_admin"]).status_code == 404
    assert client.get("/api/v1/networks/adefpat/practices", headers=api["lot_admin"]).status_code == 403
    assert client.post(f"/api/v1/networks/adefpat/practices/{sheet.id}/replications",
                       headers=api["autun_employee"]).status_code == 403
    assert client.post(f"/api/v1/networks/adefpat/practices/{sheet.id}/replications",
                       headers=api["coordinator"]).status_code == 403
    done = client.post(f"/api/v1/networks/adefpat/practices/{sheet.id}/replications", headers=api["autun_admin"])
    assert done.status_code == 201 and done.get_json()["territory"] == "autun-morvan"
    assert rows(PracticeReplication)[0].territory_id == network.autun.territory.id
    own = client.post(f"/api/v1/networks/adefpat/practices/{sheet.id}/replications", headers=api["figeac_admin"])
    assert own.status_code == 409 and count_rows(PracticeReplication) == 1


def test_events_are_read_and_joined_through_the_api(client, network, api):
    event = api["event"]
    listed = client.get("/api/v1/networks/adefpat/events", headers=api["autun_employee"]).get_json()
    assert [e["title"] for e in listed] == ["Atelier de transfert"]
    joined = client.post(f"/api/v1/networks/adefpat/events/{event.id}/registrations", json={},
                         headers=api["autun_employee"])
    assert joined.status_code == 201 and joined.get_json()["territory"] == "autun-morvan"
    by_admin = client.post(f"/api/v1/networks/adefpat/events/{event.id}/registrations",
                           json={"email": network.figeac.employee.email}, headers=api["figeac_admin"])
    assert by_admin.status_code == 201
    refused = client.post(f"/api/v1/networks/adefpat/events/{event.id}/registrations",
                          json={"email": network.figeac.employee.email}, headers=api["autun_employee"])
    assert refused.status_code == 403
    detail = client.get(f"/api/v1/networks/adefpat/events/{event.id}", headers=api["coordinator"]).get_json()
    assert detail["registered"] == 2 and detail["organisers"] == [{"name": "ARADEL", "role": "co_organiser"}]
    registrations = client.get(f"/api/v1/networks/adefpat/events/{event.id}/registrations",
                               headers=api["coordinator"]).get_json()
    assert {r["territory"] for r in registrations} == {"figeac", "autun-morvan"}
    assert client.get(f"/api/v1/networks/adefpat/events/{event.id}/registrations",
                      headers=api["autun_employee"]).status_code == 403
    assert client.post(f"/api/v1/networks/adefpat/events/{event.id}/registrations", json={},
                       headers=api["lot_admin"]).status_code == 403
    assert client.get(f"/api/v1/networks/adefpat/events/{2**40}", headers=api["coordinator"]).status_code == 404
    assert count_rows(NetworkEventRegistration) == 2


def test_revoked_tokens_and_other_networks_tokens_are_refused(client, network, api):
    token = rows(NetworkToken,
                 network_id=network.network.id)[0]
    services.revoke_token(token)
    assert client.get("/api/v1/networks/adefpat/", headers=api["coordinator"]).status_code == 401
    assert client.get("/api/v1/networks/adefpat/", headers=api["other_coordinator"]).status_code == 403
    assert client.get("/api/v1/networks/causses/", headers=api["other_coordinator"]).status_code == 200


def test_coordinators_run_events_through_the_api(client, network, api):
    base = "/api/v1/networks/adefpat/events"
    body = {"kind": "seminar", "title": "Séminaire de Tarare", "starts_on": str(network.seminar_day),
            "place": "Tarare", "organiser_ids": [network.aradel.id]}
    created = client.post(base, json=body, headers=api["coordinator"])
    assert created.status_code == 201 and created.get_json()["organisers"] == [{"name": "ARADEL",
                                                                                  "role": "co_organiser"}]
    event_id = created.get_json()["id"]
    changed = client.put(f"{base}/{event_id}", json={**body, "place": "Lyon"}, headers=api["coordinator"])
    assert changed.status_code == 200 and changed.get_json()["place"] == "Lyon"
    agenda = client.post(f"{base}/{event_id}/agenda", json={"starts_at": "09:30", "title": "Accueil"},
                         headers=api["coordinator"])
    assert [item["title"] for item in agenda.get_json()["agenda"]] == ["Accueil"]
    client.post(f"{base}/{event_id}/registrations", json={}, headers=api["figeac_admin"])
    attendance = client.put(f"{base}/{event_id}/attendance", json={"present_ids": [network.figeac.admin.id]},
                            headers=api["coordinator"])
    assert attendance.status_code == 200 and attendance.get_json()["attended"] == 1
    stranger = client.put(f"{base}/{event_id}/attendance", json={"present_ids": [network.autun.admin.id]},
                          headers=api["coordinator"])
    assert stranger.status_code == 422 and "present_ids" in stranger.get_json()["errors"]
    minutes = client.put(f"{base}/{event_id}/minutes", json={"minutes": "Douze participants."},
                         headers=api["coordinator"])
    assert minutes.get_json()["minutes"] == "Douze participants."
    assert client.get(f"{base}/{event_id}", headers=api["autun_employee"]).get_json()["minutes"] == \
        "Douze participants."
    bad = client.post(base, json={**body, "ends_on": "2001-01-01", "organiser_ids": [2**40]},
                      headers=api["coordinator"])
    assert bad.status_code == 422 and {"organiser_ids"} <= set(bad.get_json()["errors"])
    for token in ("figeac_admin", "other_coordinator", "lot_admin"):
        assert client.post(base, json=body, headers=api[token]).status_code == 403, token
        assert client.put(f"{base}/{event_id}/minutes", json={"minutes": "x"}, headers=api[token]).status_code == 403
    assert len(rows_of_events(network)) == 2


def rows_of_events(network):
    from coopserv.network.models import NetworkEvent

    return rows(NetworkEvent)


def test_territory_admins_publish_their_practices_through_the_api(client, network, api):
    project = decided_project(network.figeac.territory, network.figeac.module, "Conciergerie du Célé")
    sheet = {"project_id": project.id, "context": "Zone d'activité de 1 200 salariés.", "need": "Pressing",
             "service": "Conciergerie", "lessons": "Commencer par le pressing, puis les paniers."}
    published = client.post("/api/v1/networks/adefpat/practices", json=sheet, headers=api["figeac_admin"])
    assert published.status_code == 201 and published.get_json()["title"] == "Conciergerie du Célé"
    assert count_rows(PracticeSheet) == 1
    short = client.post("/api/v1/networks/adefpat/practices", json={**sheet, "lessons": "court"},
                        headers=api["figeac_admin"])
    assert short.status_code == 422 and "lessons" in short.get_json()["errors"]
    # Autun's admin cannot publish Figeac's project, nor can a coordinator or an employee.
    assert client.post("/api/v1/networks/adefpat/practices", json=sheet,
                       headers=api["autun_admin"]).status_code == 404
    for token in ("coordinator", "autun_employee", "lot_admin"):
        assert client.post("/api/v1/networks/adefpat/practices", json=sheet, headers=api[token]).status_code == 403
    assert count_rows(PracticeSheet) == 1
