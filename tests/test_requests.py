"""Service requests: status history, notifications on every change, workflow rules enforced by the core."""
import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.notifications.models import Notification
from coopserv.service_requests.models import ServiceRequest, StatusChange
from tests.helpers import place_order, rows, submit_order_over_http, text_of


@pytest.fixture
def people(make_client, figeac):
    employee, operator = make_client(), make_client()
    employee.login(figeac.employee)
    operator.login(figeac.operator)
    return employee, operator


def _move(client, request_id, transition):
    return client.post_json(f"/t/figeac/requests/{request_id}/transition", {"transition": transition})


def _status(request_id):
    return rows(ServiceRequest, id=request_id)[0].status


def test_history_records_who_moved_the_request_and_when(people, figeac, order_form):
    employee, operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    for name in ("accept", "start"):
        assert operator.post_form(f"/t/figeac/requests/{request_id}/transition",
                                  {"transition": name, "comment": f"{name} ok"}).status_code == 302
    history = rows(StatusChange, request_id=request_id)
    steps = [(c.from_status, c.to_status, c.actor_id) for c in sorted(history, key=lambda c: c.id)]
    assert steps == [(None, "submitted", figeac.employee.id), ("submitted", "accepted", figeac.operator.id),
                     ("accepted", "in_progress", figeac.operator.id)]
    assert all(c.at is not None for c in history)
    assert sorted(c.at for c in history) == [c.at for c in sorted(history, key=lambda c: c.id)]
    assert "accept ok" in text_of(employee.get(f"/t/figeac/requests/{request_id}"))


def test_requester_is_notified_of_every_change_in_their_language(people, figeac, order_form):
    employee, operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    operator.post_form(f"/t/figeac/requests/{request_id}/transition", {"transition": "accept"})
    operator.post_form(f"/t/figeac/requests/{request_id}/transition", {"transition": "reject"})
    notes = rows(Notification, user_id=figeac.employee.id)
    assert len(notes) == 3
    assert rows(Notification, user_id=figeac.operator.id) == []
    french = text_of(employee.get("/t/figeac/notifications"))
    ref = rows(ServiceRequest, id=request_id)[0].reference
    assert ref == "#1"  # numbered in its territory, whatever the global id
    assert f"Votre demande {ref} a bien été reçue." in french
    assert f"Votre demande {ref} est maintenant : Acceptée." in french
    assert f"Votre demande {ref} est maintenant : Refusée." in french
    employee.post_form("/language", {"lang": "en", "next": "/t/figeac/notifications"})
    english = text_of(employee.get("/t/figeac/notifications"))
    assert f"Your request {ref} is now: Accepted." in english
    assert f"Your request {ref} was received." in english


def test_illegal_transition_is_refused_as_json_and_keeps_the_status(people, figeac, order_form):
    employee, operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    response = _move(operator, request_id, "deliver")
    assert response.status_code == 409
    assert response.get_json()["message"] == "Une demande « Envoyée » ne peut pas passer à « Remise »."
    unknown = _move(operator, request_id, "teleport")
    assert unknown.status_code == 409
    assert _status(request_id) == "submitted"
    assert len(rows(StatusChange, request_id=request_id)) == 1
    assert len(rows(Notification, user_id=figeac.employee.id)) == 1


def test_illegal_transition_in_html_flashes_the_reason(people, figeac, order_form):
    employee, operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    response = operator.post_form(f"/t/figeac/requests/{request_id}/transition", {"transition": "mark_ready"})
    assert response.status_code == 409
    assert "Une demande « Envoyée » ne peut pas passer à « Prête »." in text_of(response)
    assert _status(request_id) == "submitted"


def test_requester_cannot_apply_operator_transitions(people, figeac, order_form):
    employee, _operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    response = _move(employee, request_id, "accept")
    assert response.status_code == 409
    assert response.get_json()["message"] == "Vous n’êtes pas autorisé(e) à faire cela sur cette demande."
    assert _status(request_id) == "submitted"
    assert _move(employee, request_id, "cancel").status_code == 200
    assert _status(request_id) == "cancelled"


def test_operator_cannot_apply_requester_transitions(people, figeac, order_form):
    employee, operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    assert _move(operator, request_id, "cancel").status_code == 409
    assert _status(request_id) == "submitted"


def test_a_colleague_cannot_see_or_move_someone_elses_request(make_client, figeac, catalogue):
    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    colleague = make_client()
    colleague.login(figeac.colleague)
    assert colleague.get(f"/t/figeac/requests/{request.id}").status_code == 403
    assert _move(colleague, request.id, "cancel").status_code == 403
    assert _status(request.id) == "submitted"
    assert f'/t/figeac/requests/{request.id}"' not in text_of(colleague.get("/t/figeac/requests"))


def test_my_requests_lists_mine_with_their_status(people, figeac, order_form):
    employee, _operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    page = text_of(employee.get("/t/figeac/requests"))
    assert f'/t/figeac/requests/{request_id}"' in page and "Envoyée" in page


def test_a_failing_plugin_hook_rolls_the_whole_submission_back(figeac, catalogue, monkeypatch, scoped):
    """The owner plugin raising in request_submitted leaves no request, history or notification behind."""
    import coopserv_plugins.concierge.services as concierge_services

    from coopserv.service_requests.services import submit_request
    from tests.helpers import order_payload

    def broken(request, payload):
        raise RuntimeError("provider offline")

    monkeypatch.setattr(concierge_services, "store_order", broken)
    with scoped(figeac.territory), pytest.raises(RuntimeError):
        submit_request(figeac.module, figeac.employee, figeac.aero, order_payload(catalogue))
    assert rows(ServiceRequest) == [] and rows(StatusChange) == [] and rows(Notification) == []
    assert db.session.scalar(select(ServiceRequest.id).execution_options(all_territories=True)) is None


def test_a_move_from_the_queue_answers_the_row_and_the_counts_in_place(people, figeac, order_form):
    """htmx swaps the row and, out of band, the status filters: both must come back whole."""
    employee, operator = people
    request_id = submit_order_over_http(employee, "figeac", order_form)
    queue = operator.get("/t/figeac/operator/concierge").get_data(as_text=True)
    assert f'id="request-row-{request_id}"' in queue and 'name="transition" value="accept"' in queue
    response = operator.post_form(f"/t/figeac/requests/{request_id}/transition",
                                  {"transition": "accept", "from": "queue"}, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith(f'<tr id="request-row-{request_id}">')
    assert 'name="transition" value="start"' in page and 'value="accept"' not in page
    assert 'hx-swap-oob' in page
    assert _status(request_id) == "accepted"
