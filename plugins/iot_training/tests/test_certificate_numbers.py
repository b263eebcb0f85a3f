"""Certificate numbers are ranked per territory, given when the certificate is issued and then kept;
two certificates issued at once get two numbers, one certificate opened twice at once keeps one."""
import re
import threading
import time
from datetime import timedelta

from coopserv_plugins.iot_training import services
from coopserv_plugins.iot_training.models import Attendance, Enrolment, SessionDay
from sqlalchemy import select

from coopserv.plugin_api import db

from .conftest import add_course, add_session, move_into_past, next_monday, today

NUMBER = re.compile(r"<dd>([A-Z-]+-IOT-[0-9-]+)</dd>")


def _ended_session(territory, slug, course, people, login, scoped, attended=None):
    """A one-day session that ended, with ``people`` enrolled and those of ``attended`` (all) present."""
    session = add_session(territory, course, first_day=next_monday(10), days=1, capacity=5, minimum=1)
    for person in people:
        response = login(person).post_form(f"/t/{slug}/services/iot_training/requests", {"session_id": str(session.id)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    move_into_past(territory, session, today() - timedelta(days=20), scoped)
    present = {person.id for person in (people if attended is None else attended)}
    with scoped(territory):
        day_id = db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == session.id))
        enrolments = db.session.scalars(select(Enrolment).where(Enrolment.session_id == session.id)
                                        .order_by(Enrolment.id)).all()
        for enrolment in enrolments:
            if enrolment.user_id in present:
                db.session.add(Attendance(enrolment_id=enrolment.id, day_id=day_id, user_id=enrolment.user_id))
        db.session.commit()
        return session.id, [enrolment.id for enrolment in enrolments]


def _printed(client, slug, enrolment_id):
    response = client.get(f"/t/{slug}/iot-training/enrolments/{enrolment_id}/certificate")
    assert response.status_code == 200, response.status_code
    return NUMBER.findall(response.get_data(as_text=True))[0]


def _stored(territory, scoped):
    with scoped(territory):
        return dict(db.session.execute(select(Enrolment.id, Enrolment.certificate_number)).all())


def test_certificates_are_numbered_per_territory_in_the_order_they_are_issued(login, autun, figeac, course, scoped):
    session_id, (camille, julien, ines) = _ended_session(
        autun.territory, "autun-morvan", course, [autun.employee, autun.colleague, autun.other], login, scoped,
        attended=[autun.employee, autun.colleague])
    _, (lou,) = _ended_session(figeac.territory, "figeac", add_course(figeac.territory), [figeac.employee], login,
                               scoped)
    assert set(_stored(autun.territory, scoped).values()) == {None}  # nothing issued yet

    # Ranked as they are issued, not by database id; each territory counts from one.
    assert _printed(login(autun.colleague), "autun-morvan", julien) == "AUTUN-MORVAN-IOT-1"
    assert _printed(login(figeac.employee), "figeac", lou) == "FIGEAC-IOT-1"
    assert _printed(login(autun.employee), "autun-morvan", camille) == "AUTUN-MORVAN-IOT-2"
    # Printed again, by the participant or the operator, a certificate keeps its number.
    assert _printed(login(autun.operator), "autun-morvan", julien) == "AUTUN-MORVAN-IOT-1"
    pdf = login(autun.colleague).get(f"/t/autun-morvan/iot-training/enrolments/{julien}/certificate.pdf")
    assert pdf.status_code == 200
    # Inès did not attend: no certificate, no number taken.
    assert login(autun.other).get(f"/t/autun-morvan/iot-training/enrolments/{ines}/certificate").status_code == 404
    assert _stored(autun.territory, scoped) == {camille: "AUTUN-MORVAN-IOT-2", julien: "AUTUN-MORVAN-IOT-1",
                                                ines: None}


def test_the_completion_issues_the_certificate_number(login, autun, course, scoped):
    session_id, (camille, julien) = _ended_session(
        autun.territory, "autun-morvan", course, [autun.employee, autun.colleague], login, scoped,
        attended=[autun.employee])
    assert login(autun.operator).post_form(f"/t/autun-morvan/iot-training/sessions/{session_id}/close").status_code == 302
    assert _stored(autun.territory, scoped) == {camille: "AUTUN-MORVAN-IOT-1", julien: None}
    assert _printed(login(autun.employee), "autun-morvan", camille) == "AUTUN-MORVAN-IOT-1"


def _at_once(calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _slow_labels(monkeypatch):
    label = services.certificate_label

    def slow_label(slug, rank):
        """Rank taken, not yet committed: without the lock, the other issue would take the same rank."""
        time.sleep(0.3)
        return label(slug, rank)

    monkeypatch.setattr(services, "certificate_label", slow_label)


def test_two_certificates_issued_at_once_get_two_numbers(login, autun, course, scoped, monkeypatch):
    _, (camille, julien) = _ended_session(autun.territory, "autun-morvan", course, [autun.employee, autun.colleague],
                                          login, scoped)
    clients = [login(autun.employee), login(autun.colleague)]
    _slow_labels(monkeypatch)
    statuses = _at_once([lambda: clients[0].get(f"/t/autun-morvan/iot-training/enrolments/{camille}/certificate"),
                         lambda: clients[1].get(f"/t/autun-morvan/iot-training/enrolments/{julien}/certificate")])
    assert [response.status_code for response in statuses] == [200, 200]
    assert sorted(_stored(autun.territory, scoped).values()) == ["AUTUN-MORVAN-IOT-1", "AUTUN-MORVAN-IOT-2"]


def test_one_certificate_opened_twice_at_once_keeps_one_number(login, autun, course, scoped, monkeypatch):
    _, (camille,) = _ended_session(autun.territory, "autun-morvan", course, [autun.employee], login, scoped)
    clients = [login(autun.employee), login(autun.operator)]
    _slow_labels(monkeypatch)
    url = f"/t/autun-morvan/iot-training/enrolments/{camille}/certificate"
    pages = _at_once([lambda: clients[0].get(url), lambda: clients[1].get(url)])
    assert [NUMBER.findall(page.get_data(as_text=True)) for page in pages] == [["AUTUN-MORVAN-IOT-1"]] * 2
    assert _stored(autun.territory, scoped) == {camille: "AUTUN-MORVAN-IOT-1"}
