"""A territory admin chooses public events and manages visitors' registrations through the API, as on the admin page."""
from datetime import timedelta

import pytest

from coopserv.audit.models import AuditEntry
from coopserv.governance import events
from coopserv.public import services
from coopserv.public.models import PublicRegistration, PublishedEvent
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow
from coopserv.tokens.services import create_token
from tests.helpers import count_rows, rows

BASE = "/api/v1/territories/figeac/public-events"


def _auth(user, territory, read_only=False):
    with territory_scope(territory):
        return {"Authorization": f"Bearer {create_token(user, territory, 't', read_only)[1]}"}


@pytest.fixture
def admin(figeac):
    return _auth(figeac.admin, figeac.territory)


@pytest.fixture
def evening(figeac):
    """An upcoming Start Up de Territoire evening and an older private meeting; events are public on the site."""
    with territory_scope(figeac.territory):
        services.save_settings({"services": False, "needs": False, "projects": False, "events": True,
                                "introduction": ""}, figeac.admin)
        private = events.create_event({"kind": "leaders_meeting", "title": "Petit-déjeuner des dirigeants",
                                       "starts_at": utcnow() + timedelta(days=3)}, figeac.admin)
        event = events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                                     "starts_at": utcnow() + timedelta(days=10), "place": "Espace Mitterrand"},
                                    figeac.admin)
        return event.id, private.id


def _register(client, event_id, name, email):
    return client.post(f"/t/figeac/public/events/{event_id}/register",
                       data={"name": name, "email": email, "company": "Ratier", "csrf_token": client.csrf_token()})


def test_an_admin_publishes_an_event_and_opens_it_to_visitors(client, figeac, admin, evening):
    event_id, private_id = evening
    listed = client.get(f"{BASE}/", headers=admin)
    assert listed.status_code == 200
    assert [(e["event_id"], e["published"]) for e in listed.get_json()] == [(event_id, False), (private_id, False)]
    assert client.get(f"/t/figeac/public/events/{event_id}").status_code == 404

    answer = client.put(f"{BASE}/{event_id}", json={"published": True, "registration_open": True, "capacity": 2},
                        headers=admin)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["published"], body["registration_open"], body["accepts_registrations"], body["capacity"],
            body["registrations"]) == (True, True, True, 2, 0)
    assert client.get(f"/t/figeac/public/events/{event_id}").status_code == 200
    assert client.get(f"/t/figeac/public/events/{event_id}/register").status_code == 200
    [entry] = rows(AuditEntry, territory_id=figeac.territory.id, action="public.event_published")
    assert entry.actor_id == figeac.admin.id

    # Closing registrations keeps the event public; the form says it is closed.
    closed = client.put(f"{BASE}/{event_id}", json={"published": True}, headers=admin).get_json()
    assert (closed["published"], closed["registration_open"], closed["accepts_registrations"]) == (True, False, False)
    assert _register(client, event_id, "Camille Martin", "camille@example.org").status_code == 409
    assert count_rows(PublicRegistration) == 0

    withdrawn = client.put(f"{BASE}/{event_id}", json={"published": False}, headers=admin)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["published"] is False
    assert client.get(f"/t/figeac/public/events/{event_id}").status_code == 404
    assert count_rows(PublishedEvent) == 0
    assert [e.action for e in rows(AuditEntry, territory_id=figeac.territory.id) if e.action.startswith("public.event")] \
        == ["public.event_published", "public.event_published", "public.event_withdrawn"]
    assert client.get(f"{BASE}/{event_id}", headers=admin).get_json()["published"] is False


@pytest.mark.parametrize(("body", "fields"), [
    ({"published": True, "capacity": 0}, {"capacity"}), ({"capacity": "beaucoup"}, {"capacity"}),
    ({"published": "oui, peut-être"}, {"published"}), ({"published": True, "registration_open": [1]},
                                                     {"registration_open"}),
    ({"published": True, "capacity": 100_001}, {"capacity"})])
def test_bad_publications_get_field_errors_and_nothing_changes(client, figeac, admin, evening, body, fields):
    answer = client.put(f"{BASE}/{evening[0]}", json=body, headers=admin)
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == fields
    assert count_rows(PublishedEvent) == 0
    assert count_rows(AuditEntry, action="public.event_published") == 0


def test_unknown_and_foreign_events_are_not_found(client, figeac, autun, admin, evening):
    with territory_scope(autun.territory):
        foreign = events.create_event({"kind": "startup_evening", "title": "Soirée d'Autun",
                                       "starts_at": utcnow() + timedelta(days=5)}, autun.admin)
    for event_id in (foreign.id, 999_999, 2**40):
        assert client.put(f"{BASE}/{event_id}", json={"published": True}, headers=admin).status_code == 404
        assert client.get(f"{BASE}/{event_id}/registrations", headers=admin).status_code == 404
    assert count_rows(PublishedEvent) == 0


def test_an_admin_lists_page_by_page_and_deletes_visitors_registrations(client, figeac, admin, evening):
    event_id, private_id = evening
    client.put(f"{BASE}/{event_id}", json={"published": True, "registration_open": True}, headers=admin)
    for number in range(3):
        assert _register(client, event_id, f"Visiteur {number}", f"visiteur{number}@example.org").status_code == 303

    first = client.get(f"{BASE}/{event_id}/registrations?page_size=2", headers=admin)
    assert first.status_code == 200
    assert [r["email"] for r in first.get_json()] == ["visiteur0@example.org", "visiteur1@example.org"]
    assert '"total": 3' in first.headers["X-Pagination"]
    second = client.get(f"{BASE}/{event_id}/registrations?page_size=2&page=2", headers=admin).get_json()
    assert [(r["name"], r["company"]) for r in second] == [("Visiteur 2", "Ratier")]
    assert client.get(f"{BASE}/", headers=admin).get_json()[0]["registrations"] == 3

    victim = first.get_json()[0]["id"]
    assert client.delete(f"{BASE}/{private_id}/registrations/{victim}", headers=admin).status_code == 404
    assert client.delete(f"{BASE}/{event_id}/registrations/{victim}", headers=admin).status_code == 204
    assert client.delete(f"{BASE}/{event_id}/registrations/{victim}", headers=admin).status_code == 404
    assert [r.email for r in rows(PublicRegistration)] == ["visiteur1@example.org", "visiteur2@example.org"]
    [entry] = rows(AuditEntry, territory_id=figeac.territory.id, action="public.registration_deleted")
    assert entry.actor_id == figeac.admin.id
    # A withdrawn event's registrations can still be read and deleted (they are personal data).
    client.put(f"{BASE}/{event_id}", json={"published": False}, headers=admin)
    assert len(client.get(f"{BASE}/{event_id}/registrations", headers=admin).get_json()) == 2


def test_only_the_territorys_admins_manage_public_events(client, figeac, autun, evening):
    event_id = evening[0]
    with territory_scope(figeac.territory):
        publication = services.set_publication({"event_id": event_id, "published": True, "registration_open": True,
                                                "capacity": None}, figeac.admin)
        from coopserv.governance.models import GovernanceEvent
        from coopserv.extensions import db

        registration, _created = services.register(db.session.get(GovernanceEvent, event_id), publication,
                                                   {"name": "Camille", "email": "camille@example.org"})
        registration_id = registration.id
    calls = [("get", f"{BASE}/", None), ("get", f"{BASE}/{event_id}", None),
             ("put", f"{BASE}/{event_id}", {"published": False}),
             ("get", f"{BASE}/{event_id}/registrations", None),
             ("delete", f"{BASE}/{event_id}/registrations/{registration_id}", None)]
    refused = [_auth(figeac.employee, figeac.territory), _auth(figeac.referent, figeac.territory),
               _auth(autun.admin, autun.territory)]
    for headers in refused:
        for method, url, body in calls:
            assert getattr(client, method)(url, json=body, headers=headers).status_code == 403, (method, url)
    read_only = _auth(figeac.admin, figeac.territory, read_only=True)
    for method, url, body in calls:
        expected = 200 if method == "get" else 403
        assert getattr(client, method)(url, json=body, headers=read_only).status_code == expected, (method, url)
    assert client.get(f"{BASE}/").status_code == 401
    assert count_rows(PublishedEvent) == 1 and count_rows(PublicRegistration) == 1


def test_the_operations_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    prefix = "/api/v1/territories/{territory_slug}/public-events"
    assert set(paths[f"{prefix}/"]) >= {"get"}
    assert {"get", "put"} <= set(paths[f"{prefix}/{{event_id}}"])
    assert "get" in paths[f"{prefix}/{{event_id}}/registrations"]
    assert "delete" in paths[f"{prefix}/{{event_id}}/registrations/{{registration_id}}"]
    put = paths[f"{prefix}/{{event_id}}"]["put"]
    assert {"401", "403", "404", "422"} <= set(put["responses"])
