"""API for organizations, members, invitations (admin tokens), and events with their ideas (members)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from coopserv.accounts.models import Membership
from coopserv.extensions import db
from coopserv.governance.models import GovernanceEvent, IdeaPitch
from coopserv.invitations.models import Invitation
from coopserv.organizations.models import Organization
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow
from coopserv.tokens.services import create_token
from tests.helpers import count_rows, rows


@pytest.fixture
def auth(figeac, autun):
    def headers(user, territory=None):
        territory = territory or figeac.territory
        with territory_scope(territory):
            return {"Authorization": f"Bearer {create_token(user, territory, 'test')[1]}"}
    return headers


def test_organizations_are_listed_created_and_patched_by_admins_only(client, figeac, autun, auth):
    admin, employee = auth(figeac.admin), auth(figeac.employee)
    base = "/api/v1/territories/figeac/organizations/"
    assert client.get(base, headers=employee).status_code == 403
    listed = client.get(base + "?page_size=1", headers=admin)
    assert [o["name"] for o in listed.get_json()] == ["Figeac Aéro"] and '"total": 2' in listed.headers["X-Pagination"]
    assert [o["name"] for o in client.get(base + "?q=MENUI", headers=admin).get_json()] == ["Menuiserie du Célé"]
    created = client.post(base, json={"name": "Boulangerie du Pont", "siret": "12345678901234",
                                      "employee_count": 4, "address": "1 place Carnot\nFigeac"}, headers=admin)
    assert created.status_code == 201 and created.get_json()["address"] == "1 place Carnot\nFigeac"
    assert created.get_json()["created_at"].endswith("+00:00")
    patched = client.patch(f"{base}{created.get_json()['id']}", json={"employee_count": 6}, headers=admin)
    assert patched.get_json()["employee_count"] == 6 and patched.get_json()["siret"] == "12345678901234"
    for body, field in (({"name": "Figeac Aéro"}, "name"), ({"name": "x\x00y"}, "name"),
                        ({"name": "Big", "employee_count": 2**40}, "employee_count"),
                        ({"name": "Bad", "siret": "12345678901234\n"}, "siret")):
        bad = client.post(base, json=body, headers=admin)
        assert bad.status_code == 422 and field in bad.get_json()["errors"], body
    assert client.get(f"{base}{figeac.aero.id}", headers=auth(autun.admin, autun.territory)).status_code == 403
    assert client.get(f"/api/v1/territories/autun-morvan/organizations/{figeac.aero.id}",
                      headers=auth(autun.admin, autun.territory)).status_code == 404
    assert client.get(f"{base}{2**40}", headers=admin).status_code == 404
    assert count_rows(Organization) == 4


def test_members_are_listed_given_roles_approved_and_removed(client, figeac, make_user, auth):
    admin = auth(figeac.admin)
    pending = make_user(figeac.territory, "employee", status="pending", email="pending@example.org")
    members = client.get("/api/v1/territories/figeac/members/?status=pending", headers=admin).get_json()
    assert [m["user"]["email"] for m in members] == ["pending@example.org"]
    membership_id = members[0]["id"]
    approved = client.post(f"/api/v1/territories/figeac/members/{membership_id}/approve",
                           json={"organization_id": figeac.menuiserie.id}, headers=admin)
    assert approved.status_code == 200 and approved.get_json()["status"] == "active"
    granted = client.post("/api/v1/territories/figeac/members/", headers=admin,
                          json={"user_id": pending.id, "role": "governance_member"})
    assert granted.status_code == 201 and granted.get_json()["role"] == "governance_member"
    outsider = make_user(email="outsider@example.org")
    refused = client.post("/api/v1/territories/figeac/members/", headers=admin,
                          json={"user_id": outsider.id, "role": "employee"})
    assert refused.status_code == 422 and "user_id" in refused.get_json()["errors"]
    assert client.delete(f"/api/v1/territories/figeac/members/{granted.get_json()['id']}",
                         headers=admin).status_code == 204
    own = db.session.scalar(select(Membership.id).filter_by(user_id=figeac.admin.id).execution_options(
        all_territories=True))
    assert client.delete(f"/api/v1/territories/figeac/members/{own}", headers=admin).status_code == 409


def test_invitations_are_created_resent_and_revoked(app, client, figeac, auth):
    admin = auth(figeac.admin)
    created = client.post("/api/v1/territories/figeac/invitations/", headers=admin,
                          json={"email": "Nina@Example.org", "name": "Nina", "role": "company_referent",
                                "organization_id": figeac.aero.id})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["email"], body["status"]) == ("nina@example.org", "pending") and body["sent_at"]
    nonce = rows(Invitation)[0].nonce
    assert client.post(f"/api/v1/territories/figeac/invitations/{body['id']}/resend", headers=admin).status_code == 200
    assert rows(Invitation)[0].nonce != nonce
    revoked = client.post(f"/api/v1/territories/figeac/invitations/{body['id']}/revoke", headers=admin)
    assert revoked.get_json()["status"] == "revoked"
    again = client.post(f"/api/v1/territories/figeac/invitations/{body['id']}/revoke", headers=admin)
    assert again.status_code == 409
    for payload, field in (({"email": "no"}, "email"), ({"email": "a@b.org", "role": "service_operator"}, "role"),
                           ({"email": "a@b.org", "organization_id": 999999}, "organization_id"),
                           ({"email": figeac.employee.email, "role": "employee"}, "email")):
        bad = client.post("/api/v1/territories/figeac/invitations/", headers=admin, json=payload)
        assert bad.status_code == 422 and field in bad.get_json()["errors"], payload
    assert count_rows(Invitation) == 1
    assert client.get("/api/v1/territories/figeac/invitations/", headers=auth(figeac.referent)).status_code == 403


def test_events_and_ideas_from_registration_to_project(client, figeac, autun, auth):
    admin, employee, colleague = auth(figeac.admin), auth(figeac.employee), auth(figeac.colleague)
    starts = (utcnow() + timedelta(days=7)).replace(microsecond=0)
    created = client.post("/api/v1/territories/figeac/events/", headers=admin, json={
        "kind": "startup_evening", "title": "Start Up de Territoire", "starts_at": starts.isoformat() + "+02:00"})
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    stored = rows(GovernanceEvent)[0]
    assert stored.starts_at == starts - timedelta(hours=2)  # stored in UTC
    assert client.post("/api/v1/territories/figeac/events/", headers=employee,
                       json={"kind": "startup_evening", "title": "Soirée", "starts_at": starts.isoformat()}
                       ).status_code == 403
    idea = {"title": "Covoiturage de nuit", "pitch": "Une appli pour les équipes de nuit de la ZA."}
    assert client.post(f"/api/v1/territories/figeac/events/{event['id']}/ideas", json=idea,
                       headers=employee).status_code == 403  # register first
    assert client.post(f"/api/v1/territories/figeac/events/{event['id']}/registrations",
                       headers=employee).status_code == 201
    pitched = client.post(f"/api/v1/territories/figeac/events/{event['id']}/ideas", json=idea, headers=employee)
    assert pitched.status_code == 201
    idea_id = pitched.get_json()["id"]
    client.post(f"/api/v1/territories/figeac/events/{event['id']}/registrations", headers=colleague)
    assert client.post(f"/api/v1/territories/figeac/ideas/{idea_id}/votes", headers=colleague).status_code == 201
    assert client.post(f"/api/v1/territories/figeac/ideas/{idea_id}/votes", headers=colleague).status_code == 409
    ranking = client.get(f"/api/v1/territories/figeac/events/{event['id']}/ideas", headers=colleague).get_json()
    assert [(i["title"], i["votes"], i["voted"]) for i in ranking] == [("Covoiturage de nuit", 1, True)]
    listed = client.get("/api/v1/territories/figeac/events/", headers=employee).get_json()
    assert listed[0]["registrations"] == 2 and listed[0]["registered"] is True
    project = client.post(f"/api/v1/territories/figeac/ideas/{idea_id}/project", headers=admin)
    assert project.status_code == 201 and project.get_json()["project_id"]
    assert client.post(f"/api/v1/territories/figeac/ideas/{idea_id}/project", headers=admin).status_code == 409
    # Autun's token reaches none of it.
    autun_token = auth(autun.admin, autun.territory)
    assert client.get(f"/api/v1/territories/figeac/events/{event['id']}", headers=autun_token).status_code == 403
    assert client.get(f"/api/v1/territories/autun-morvan/events/{event['id']}", headers=autun_token).status_code == 404
    assert client.post(f"/api/v1/territories/autun-morvan/ideas/{idea_id}/votes",
                       headers=auth(autun.employee, autun.territory)).status_code == 404
    for when in ("9999-01-01T00:00:00", "1200-01-01T00:00:00", "2026-13-01T00:00:00"):
        bad = client.post("/api/v1/territories/figeac/events/", headers=admin,
                          json={"kind": "startup_evening", "title": "Soirée", "starts_at": when})
        assert bad.status_code == 422 and "starts_at" in bad.get_json()["errors"], when
    assert count_rows(GovernanceEvent) == 1 and count_rows(IdeaPitch) == 1
