"""Deadlines, attendance, certificates, closing and the satisfaction survey."""
import io
import re
from datetime import timedelta

from coopserv_plugins.iot_training.models import SurveyAnswer, TrainingSession
from pypdf import PdfReader
from sqlalchemy import select

from coopserv.plugin_api import db, plugin_host, utcnow
from coopserv.testing import Notification

from .conftest import (
    PREFIX,
    add_session,
    count,
    enrol,
    move_into_past,
    next_monday,
    status_of,
    today,
)


def _session_status(session_id):
    return db.session.scalar(select(TrainingSession.status).filter_by(id=session_id)
                             .execution_options(all_territories=True))


def test_a_session_below_its_minimum_at_the_deadline_is_cancelled_and_everyone_notified(login, autun, course, scoped):
    deadline = today() + timedelta(days=2)
    thin = add_session(autun.territory, course, first_day=next_monday(10), minimum=3, deadline=deadline)
    busy = add_session(autun.territory, course, first_day=next_monday(10), capacity=1, minimum=1, deadline=deadline)
    in_thin = [enrol(login(autun.employee), thin.id), enrol(login(autun.colleague), thin.id)]
    in_busy = [enrol(login(autun.other), busy.id), enrol(login(autun.referent), busy.id)]
    with scoped(autun.territory):
        plugin_host().call_each("tick", territory=autun.territory, now=utcnow())
    assert _session_status(thin.id) == "open"  # the deadline has not passed yet

    after_deadline = utcnow() + timedelta(days=3)
    with scoped(autun.territory):
        plugin_host().call_each("tick", territory=autun.territory, now=after_deadline)
    assert _session_status(thin.id) == "cancelled" and _session_status(busy.id) == "confirmed"
    assert [status_of(r) for r in in_thin] == ["session_cancelled", "session_cancelled"]
    assert [status_of(r) for r in in_busy] == ["enrolled", "waiting_list"]
    for person in (autun.employee, autun.colleague):
        messages = db.session.scalars(select(Notification.message).filter_by(user_id=person.id)
                                      .execution_options(all_territories=True)).all()
        assert any("is cancelled" in m for m in messages)
    before = count(Notification)
    with scoped(autun.territory):
        from coopserv_plugins.iot_training.services import close_registrations

        close_registrations(after_deadline)  # idempotent: nothing more happens
    assert count(Notification) == before
    refused = login(autun.other).post_json("/t/autun-morvan/services/iot_training/requests", {"session_id": thin.id})
    assert refused.status_code == 422


def test_attendance_decides_the_certificate_and_the_closing(login, autun, course, scoped):
    session = add_session(autun.territory, course, first_day=next_monday(10), days=2, capacity=2, minimum=1)
    assiduous, absent = enrol(login(autun.employee), session.id), enrol(login(autun.colleague), session.id)
    left_waiting = enrol(login(autun.other), session.id)
    move_into_past(autun.territory, session, today() - timedelta(days=20), scoped)
    with scoped(autun.territory):
        row = db.session.get(TrainingSession, session.id)
        first, second = (d.id for d in row.days)
        from coopserv_plugins.iot_training.models import Enrolment

        ids = {e.request_id: e.id for e in db.session.scalars(select(Enrolment))}
    operator = login(autun.operator)
    bad = operator.post_form(f"{PREFIX}/sessions/{session.id}/attendance", {"present": "999-1"})
    assert bad.status_code == 422
    saved = operator.post_form(f"{PREFIX}/sessions/{session.id}/attendance", {"present": [
        f"{ids[assiduous]}-{first}", f"{ids[assiduous]}-{second}", f"{ids[absent]}-{first}"]})
    assert saved.status_code == 302

    # 80 % of two days is two days: one participant qualifies, the other does not.
    camille = login(autun.employee)
    certificate = camille.get(f"{PREFIX}/enrolments/{ids[assiduous]}/certificate")
    assert certificate.status_code == 200
    html = certificate.get_data(as_text=True)
    assert "Camille Martin" in html and "2 / 2" in html
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert any("@media print" in camille.get(href).get_data(as_text=True) for href in stylesheets)  # prints cleanly
    julien = login(autun.colleague)
    assert julien.get(f"{PREFIX}/enrolments/{ids[absent]}/certificate").status_code == 404
    assert julien.get(f"{PREFIX}/enrolments/{ids[assiduous]}/certificate").status_code == 403
    assert operator.get(f"{PREFIX}/enrolments/{ids[assiduous]}/certificate").status_code == 200
    # The same certificate as a PDF (made by a job), read back as text.
    pdf = camille.get(f"{PREFIX}/enrolments/{ids[assiduous]}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Camille Martin" in text and course.title in text and "2 / 2" in text
    assert "AUTUN-MORVAN-IOT-1" in text  # the territory's first certificate (tests/test_certificate_numbers.py)
    assert julien.get(f"{PREFIX}/enrolments/{ids[absent]}/certificate.pdf").status_code == 404
    assert julien.get(f"{PREFIX}/enrolments/{ids[assiduous]}/certificate.pdf").status_code == 403

    # The operator cannot mark the absent one "completed" through the generic queue.
    assert operator.post_json(f"/t/autun-morvan/requests/{absent}/transition",
                              {"transition": "complete"}).status_code == 409
    assert operator.post_form(f"{PREFIX}/sessions/{session.id}/close").status_code == 302
    assert [status_of(assiduous), status_of(absent), status_of(left_waiting)] == [
        "completed", "not_completed", "not_placed"]
    assert _session_status(session.id) == "closed"


def test_certificate_is_not_issued_before_the_session_ends(login, autun, course, scoped):
    session = add_session(autun.territory, course, minimum=1)
    enrol(login(autun.employee), session.id)
    with scoped(autun.territory):
        from coopserv_plugins.iot_training.models import Enrolment

        enrolment_id = db.session.scalar(select(Enrolment.id))
    assert login(autun.employee).get(f"{PREFIX}/enrolments/{enrolment_id}/certificate").status_code == 404
    assert login(autun.operator).post_form(f"{PREFIX}/sessions/{session.id}/close").status_code == 409


def test_satisfaction_survey_once_per_participant_after_the_session(login, autun, course, scoped):
    session = add_session(autun.territory, course, first_day=next_monday(10), minimum=1)
    enrol(login(autun.employee), session.id)
    with scoped(autun.territory):
        from coopserv_plugins.iot_training.models import Enrolment

        enrolment_id = db.session.scalar(select(Enrolment.id))
    camille = login(autun.employee)
    too_early = camille.post_form(f"{PREFIX}/enrolments/{enrolment_id}/survey", {"score": "5"})
    assert too_early.status_code == 422 and count(SurveyAnswer) == 0
    move_into_past(autun.territory, session, today() - timedelta(days=10), scoped)
    form = camille.get(f"{PREFIX}/enrolments/{enrolment_id}/survey")
    assert form.status_code == 200 and 'name="score"' in form.get_data(as_text=True)
    out_of_range = camille.post_json(f"{PREFIX}/enrolments/{enrolment_id}/survey", {"score": 7})
    assert out_of_range.status_code == 422 and set(out_of_range.get_json()["errors"]) == {"score"}
    assert login(autun.colleague).post_form(f"{PREFIX}/enrolments/{enrolment_id}/survey",
                                            {"score": "1"}).status_code == 403
    assert camille.post_form(f"{PREFIX}/enrolments/{enrolment_id}/survey",
                             {"score": "4", "comment": "Très concret."}).status_code == 302
    assert camille.post_form(f"{PREFIX}/enrolments/{enrolment_id}/survey", {"score": "5"}).status_code == 422
    assert 'name="score"' not in camille.get(f"{PREFIX}/enrolments/{enrolment_id}/survey").get_data(as_text=True)
    answers = db.session.scalars(select(SurveyAnswer).execution_options(all_territories=True)).all()
    assert [(a.score, a.comment, a.user_id) for a in answers] == [(4, "Très concret.", autun.employee.id)]
    page = login(autun.operator).get(f"{PREFIX}/sessions/{session.id}").get_data(as_text=True)
    assert "Très concret." in page


def test_the_coordinator_cancels_a_session_and_everyone_is_told(login, autun, course):
    session = add_session(autun.territory, course, capacity=1, minimum=1)
    seated, waiting = enrol(login(autun.employee), session.id), enrol(login(autun.colleague), session.id)
    employee = login(autun.employee)
    assert employee.post_form(f"{PREFIX}/sessions/{session.id}/cancel").status_code == 403
    assert login(autun.operator).post_form(f"{PREFIX}/sessions/{session.id}/cancel").status_code == 302
    assert _session_status(session.id) == "cancelled"
    assert [status_of(seated), status_of(waiting)] == ["session_cancelled", "session_cancelled"]
    for person in (autun.employee, autun.colleague):
        messages = db.session.scalars(select(Notification.message).filter_by(user_id=person.id)
                                      .execution_options(all_territories=True)).all()
        assert any("is cancelled" in m for m in messages)
    assert employee.post_json("/t/autun-morvan/services/iot_training/requests",
                              {"session_id": session.id}).status_code == 422
