"""Seminars and transfer workshops: agenda, registrations from member territories, attendance, shared minutes."""
from datetime import timedelta

import pytest

from coopserv.network.models import NetworkEvent, NetworkEventRegistration
from coopserv.timeutil import local_today
from tests.helpers import count_rows, rows, text_of


@pytest.fixture
def seminar(network, login):
    coordinator = login(network.coordinator)
    response = coordinator.post_form("/n/adefpat/events/new", {
        "kind": "seminar", "title": "Séminaire de capitalisation", "starts_on": network.seminar_day.isoformat(),
        "place": "Figeac", "host_territory_id": str(network.figeac.territory.id), "capacity": "3",
        "organiser_ids": [str(network.adefpat.id), str(network.aradel.id)]})
    assert response.status_code == 302, text_of(response)[:1500]
    event = rows(NetworkEvent)[0]
    assert coordinator.post_form(f"/n/adefpat/events/{event.id}/agenda",
                                 {"starts_at": "09:30", "title": "Retours d'expérience", "speaker": "ARADEL"}
                                 ).status_code == 302
    return event


def test_coordinators_plan_events_with_organisers_and_agenda(network, seminar, login):
    page = text_of(login(network.figeac.employee).get(f"/n/adefpat/events/{seminar.id}"))
    for text in ("Séminaire de capitalisation", "ADEFPAT, ARADEL", "9 h 30", "Retours d'expérience"):
        assert text in page
    assert ">09:30<" not in page  # the agenda's hour as a French reader says it


def test_people_of_member_territories_register_and_admins_register_their_people(network, seminar, login):
    employee = login(network.autun.employee)
    assert employee.post_form(f"/n/adefpat/events/{seminar.id}/register").status_code == 302
    assert employee.post_form(f"/n/adefpat/events/{seminar.id}/register").status_code == 302  # idempotent
    admin = login(network.figeac.admin)
    assert admin.post_form(f"/n/adefpat/events/{seminar.id}/register",
                           {"email": network.figeac.employee.email}).status_code == 302
    # A territory admin only registers people of their own territory.
    refused = admin.post_form(f"/n/adefpat/events/{seminar.id}/register", {"email": network.autun.admin.email})
    assert refused.status_code == 422
    # Nobody registers someone outside the network, nor registers at all from outside.
    coordinator = login(network.coordinator)
    assert coordinator.post_form(f"/n/adefpat/events/{seminar.id}/register",
                                 {"email": network.lot.employee.email}).status_code == 422
    assert login(network.lot.employee).post_form(f"/n/adefpat/events/{seminar.id}/register").status_code == 403
    registered = {(r.user_id, r.from_territory_id) for r in rows(NetworkEventRegistration)}
    assert registered == {(network.autun.employee.id, network.autun.territory.id),
                          (network.figeac.employee.id, network.figeac.territory.id)}


def test_full_and_past_events_refuse_registrations(network, seminar, login, scoped):
    for person in (network.autun.employee, network.figeac.employee, network.figeac.admin):
        assert login(person).post_form(f"/n/adefpat/events/{seminar.id}/register").status_code == 302
    full = login(network.autun.admin).post_form(f"/n/adefpat/events/{seminar.id}/register")
    assert full.status_code == 422 and count_rows(NetworkEventRegistration) == 3
    from coopserv.extensions import db

    event = db.session.get(NetworkEvent, seminar.id)
    event.starts_on, event.capacity = local_today() - timedelta(days=1), None
    db.session.commit()
    assert login(network.autun.admin).post_form(f"/n/adefpat/events/{seminar.id}/register").status_code == 422


def test_attendance_and_minutes_are_kept_by_coordinators_and_shared(network, seminar, login):
    for person in (network.autun.employee, network.figeac.employee):
        login(person).post_form(f"/n/adefpat/events/{seminar.id}/register")
    coordinator = login(network.coordinator)
    assert coordinator.post_form(f"/n/adefpat/events/{seminar.id}/attendance",
                                 {"present_ids": str(network.autun.employee.id)}).status_code == 302
    assert {r.user_id: r.attended for r in rows(NetworkEventRegistration)} == {
        network.autun.employee.id: True, network.figeac.employee.id: False}
    assert coordinator.post_form(f"/n/adefpat/events/{seminar.id}/attendance",
                                 {"present_ids": str(network.lot.admin.id)}).status_code == 422
    assert coordinator.post_form(f"/n/adefpat/events/{seminar.id}/minutes",
                                 {"minutes": "Figeac présente sa conciergerie ; Autun veut la reprendre."}
                                 ).status_code == 302
    member = login(network.autun.employee)
    assert "Autun veut la reprendre" in text_of(member.get(f"/n/adefpat/events/{seminar.id}"))
    assert member.post_form(f"/n/adefpat/events/{seminar.id}/minutes", {"minutes": "Réécrit"}).status_code == 403
    assert member.post_form(f"/n/adefpat/events/{seminar.id}/attendance", {}).status_code == 403


def test_bad_event_input_gets_field_errors_and_stores_nothing(network, login):
    coordinator = login(network.coordinator)
    response = coordinator.post_form("/n/adefpat/events/new", {
        "kind": "party", "title": "x", "starts_on": "3026-01-01", "ends_on": "2020-01-01",
        "host_territory_id": str(network.lot.territory.id), "capacity": "99999999999"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("kind", "title", "starts_on", "capacity"):
        assert f'id="{field}-error"' in page, field
    hostile = coordinator.post_form("/n/adefpat/events/new", {
        "kind": "seminar", "title": "Séminaire", "starts_on": "2026-01-01",
        "host_territory_id": str(network.lot.territory.id)})
    assert hostile.status_code == 422 and 'id="host_territory_id-error"' in hostile.get_data(as_text=True)
    assert count_rows(NetworkEvent) == 0
