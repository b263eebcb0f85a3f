"""Enrolling through the core request flow: seats, waiting list, approval, refusals."""
from datetime import timedelta

from coopserv_plugins.iot_training.models import Enrolment
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, StatusChange, db
from coopserv.testing import Notification

from .conftest import add_session, count, enrol, status_of, today

ALL = {ALL_TERRITORIES: True}


def _history(request_id):
    return db.session.scalars(select(StatusChange.to_status).filter_by(request_id=request_id)
                              .order_by(StatusChange.id).execution_options(**ALL)).all()


def _messages(user):
    return db.session.scalars(select(Notification.message).filter_by(user_id=user.id)
                              .order_by(Notification.id).execution_options(**ALL)).all()


def test_employee_enrols_and_the_request_history_shows_the_seat(login, autun, session):
    employee = login(autun.employee)
    request_id = enrol(employee, session.id)
    assert status_of(request_id) == "enrolled"
    assert _history(request_id) == ["submitted", "enrolled"]
    enrolment = db.session.scalar(select(Enrolment).filter_by(request_id=request_id).execution_options(**ALL))
    assert (enrolment.session_id, enrolment.user_id, enrolment.organization_id) == (
        session.id, autun.employee.id, autun.nexans.id)
    page = employee.get(f"/t/autun-morvan/requests/{request_id}").get_data(as_text=True)
    assert "Campus des métiers" in page and "Capteurs connectés" in page
    catalogue = employee.get("/t/autun-morvan/iot-training/").get_data(as_text=True)
    assert "Inscrit" in catalogue or "Enrolled" in catalogue
    # Enrolling twice in the same session is refused on the field.
    again = employee.post_json("/t/autun-morvan/services/iot_training/requests", {"session_id": session.id})
    assert again.status_code == 422 and set(again.get_json()["errors"]) == {"session_id"}
    assert count(ServiceRequest) == 1


def test_full_session_puts_people_on_a_waiting_list_and_a_freed_seat_goes_to_the_next(login, autun, course):
    small = add_session(autun.territory, course, capacity=1, minimum=1)
    first, second, third = login(autun.employee), login(autun.colleague), login(autun.other)
    seated = enrol(first, small.id)
    waiting = enrol(second, small.id)
    last = enrol(third, small.id)
    assert [status_of(r) for r in (seated, waiting, last)] == ["enrolled", "waiting_list", "waiting_list"]
    page = second.get(f"/t/autun-morvan/requests/{waiting}").get_data(as_text=True)
    assert "Position 1" in page

    # The first person withdraws through the core's request page: the seat goes to the first in line.
    withdrawn = first.post_form(f"/t/autun-morvan/requests/{seated}/transition", {"transition": "withdraw"})
    assert withdrawn.status_code == 302
    assert [status_of(r) for r in (seated, waiting, last)] == ["withdrawn", "enrolled", "waiting_list"]
    assert _history(waiting) == ["submitted", "waiting_list", "enrolled"]
    assert any("A seat freed up" in message for message in _messages(autun.colleague))
    assert not any("A seat freed up" in message for message in _messages(autun.other))


def test_operator_cannot_seat_beyond_capacity_nor_make_illegal_moves(login, autun, course):
    small = add_session(autun.territory, course, capacity=1, minimum=1)
    seated = enrol(login(autun.employee), small.id)
    waiting_client = login(autun.colleague)
    waiting = enrol(waiting_client, small.id)
    operator = login(autun.operator)
    full = operator.post_json(f"/t/autun-morvan/requests/{waiting}/transition", {"transition": "seat"})
    assert full.status_code == 409
    assert "full" in full.get_json()["message"] or "complète" in full.get_json()["message"]
    illegal = operator.post_json(f"/t/autun-morvan/requests/{seated}/transition", {"transition": "decline"})
    assert illegal.status_code == 409
    # A single request cannot be "session cancelled" while the session runs.
    alone = operator.post_json(f"/t/autun-morvan/requests/{seated}/transition", {"transition": "cancel_session"})
    assert alone.status_code == 409
    # The employee may withdraw but not give themselves a seat.
    assert waiting_client.post_json(f"/t/autun-morvan/requests/{waiting}/transition",
                                    {"transition": "seat"}).status_code == 409
    assert [status_of(seated), status_of(waiting)] == ["enrolled", "waiting_list"]


def test_enrolment_in_a_cancelled_or_closed_session_is_refused_and_stores_nothing(login, autun, course):
    cancelled = add_session(autun.territory, course, status="cancelled")
    late = add_session(autun.territory, course, deadline=today() - timedelta(days=1))
    employee = login(autun.employee)
    page = employee.post_form("/t/autun-morvan/services/iot_training/requests", {"session_id": str(cancelled.id)})
    assert page.status_code == 422 and 'id="session_id-error"' in page.get_data(as_text=True)
    api = employee.post_json("/t/autun-morvan/services/iot_training/requests", {"session_id": late.id})
    assert api.status_code == 422 and set(api.get_json()["errors"]) == {"session_id"}
    unknown = employee.post_json("/t/autun-morvan/services/iot_training/requests", {"session_id": 999999})
    assert unknown.status_code == 422
    assert count(ServiceRequest) == 0 and count(Enrolment) == 0


def test_stage_rules_keep_non_pilot_companies_out(login, autun, session):
    stranger = login(autun.stranger)
    assert stranger.get("/t/autun-morvan/iot-training/").status_code == 403
    refused = stranger.post_json("/t/autun-morvan/services/iot_training/requests", {"session_id": session.id})
    assert refused.status_code == 403
    assert count(ServiceRequest) == 0


def test_referent_approval_when_the_territory_asks_for_it(login, autun, session, scoped):
    from coopserv.plugin_api import configure_module

    with scoped(autun.territory):
        configure_module(autun.module, {"referent_approval": True})
    approved = enrol(login(autun.employee), session.id)
    declined = enrol(login(autun.colleague), session.id)
    other_company = enrol(login(autun.other), session.id)
    assert {status_of(r) for r in (approved, declined, other_company)} == {"awaiting_approval"}
    assert any("approval is needed" in m for m in _messages(autun.referent))

    referent = login(autun.referent)
    page = referent.get("/t/autun-morvan/iot-training/approvals").get_data(as_text=True)
    assert "Camille Martin" in page and "Julien Bernard" in page and "Inès Girard" not in page
    with scoped(autun.territory):
        ids = {e.request_id: e.id for e in db.session.scalars(select(Enrolment))}
    # Nexans' referent cannot decide for Morvan Électronique's employee.
    assert referent.post_form(f"/t/autun-morvan/iot-training/approvals/{ids[other_company]}",
                              {"decision": "approve"}).status_code == 404
    bad = referent.post_form(f"/t/autun-morvan/iot-training/approvals/{ids[approved]}", {"decision": "maybe"})
    assert bad.status_code == 422 and status_of(approved) == "awaiting_approval"
    assert referent.post_form(f"/t/autun-morvan/iot-training/approvals/{ids[approved]}",
                              {"decision": "approve"}).status_code == 302
    assert referent.post_form(f"/t/autun-morvan/iot-training/approvals/{ids[declined]}",
                              {"decision": "decline"}).status_code == 302
    assert [status_of(approved), status_of(declined), status_of(other_company)] == [
        "enrolled", "declined", "awaiting_approval"]
    assert _history(approved) == ["submitted", "awaiting_approval", "enrolled"]
    # An employee who is not a referent has no approvals page.
    assert login(autun.colleague).get("/t/autun-morvan/iot-training/approvals").status_code == 403
    # The referent's own enrolment needs nobody's approval.
    assert status_of(enrol(referent, session.id)) == "enrolled"
