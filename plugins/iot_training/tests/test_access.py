"""Tenant isolation and roles on every route of the blueprint."""
import pytest
from coopserv_plugins.iot_training.models import (
    Course,
    Enrolment,
    SkillNeed,
    TrainingSession,
)
from sqlalchemy import select

from coopserv.plugin_api import db

from .conftest import PREFIX, add_session, count, enrol


def _routes(ids):
    """Every route of the blueprint, with ids of Autun Morvan's rows."""
    return [
        ("get", "/"), ("get", "/needs"), ("post", "/needs"), ("get", "/approvals"),
        ("post", f"/approvals/{ids['enrolment']}"), ("get", "/manage"), ("post", "/courses"),
        ("get", f"/courses/{ids['course']}"), ("post", f"/courses/{ids['course']}"),
        ("post", f"/courses/{ids['course']}/toggle"), ("get", "/sessions/new"), ("post", "/sessions"),
        ("get", f"/sessions/{ids['session']}"), ("get", f"/sessions/{ids['session']}/edit"),
        ("post", f"/sessions/{ids['session']}/edit"), ("post", f"/sessions/{ids['session']}/attendance"),
        ("post", f"/sessions/{ids['session']}/cancel"), ("post", f"/sessions/{ids['session']}/close"),
        ("get", f"/enrolments/{ids['enrolment']}/certificate"), ("get", f"/enrolments/{ids['enrolment']}/survey"),
        ("post", f"/enrolments/{ids['enrolment']}/survey"),
    ]


OPERATOR_ROUTES = {"/manage", "/courses", "/sessions"}


@pytest.fixture
def autun_rows(login, autun, course, scoped):
    need_course = course
    with scoped(autun.territory):
        need = SkillNeed(organization_id=autun.nexans.id, title="Capteurs vibratoires de la ligne 3", people_count=4)
        db.session.add(need)
        db.session.commit()
    session = add_session(autun.territory, need_course, minimum=1)
    enrol(login(autun.employee), session.id)
    with scoped(autun.territory):
        enrolment_id = db.session.scalar(select(Enrolment.id))
    return {"course": need_course.id, "session": session.id, "enrolment": enrolment_id}


def _call(client, method, url):
    if method == "get":
        return client.get(url)
    return client.post_form(url, {"title": "Intrusion", "decision": "approve", "score": "5"})


@pytest.mark.parametrize("who", ["operator", "admin", "employee", "referent"])
def test_people_of_another_territory_never_reach_autun_data(login, autun, figeac, autun_rows, who):
    client = login(getattr(figeac, who))
    before = (count(Course), count(TrainingSession), count(Enrolment), count(SkillNeed))
    for method, path in _routes(autun_rows):
        response = _call(client, method, PREFIX + path)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        body = response.get_data(as_text=True)
        assert "Capteurs connectés" not in body and "Camille" not in body and "ligne 3" not in body, path
    assert (count(Course), count(TrainingSession), count(Enrolment), count(SkillNeed)) == before


def test_autun_ids_under_figeac_urls_are_not_found(login, autun, figeac, autun_rows):
    operator = login(figeac.operator)
    referent = login(figeac.referent)
    for method, path in _routes(autun_rows):
        if not any(part.isdigit() for part in path.split("/")):
            continue
        client = referent if path.startswith("/approvals") else operator
        response = _call(client, method, "/t/figeac/iot-training" + path)
        assert response.status_code == 404, (method, path, response.status_code)
    # Figeac's own pages answer, without Autun's rows.
    manage = operator.get("/t/figeac/iot-training/manage")
    assert manage.status_code == 200 and "Capteurs connectés" not in manage.get_data(as_text=True)


def test_employees_cannot_reach_the_coordinator_pages(login, autun, autun_rows):
    employee = login(autun.employee)
    for method, path in _routes(autun_rows):
        if path in OPERATOR_ROUTES or path.startswith(("/courses", "/sessions")):
            assert _call(employee, method, PREFIX + path).status_code == 403, path
    assert employee.get(f"{PREFIX}/needs").status_code == 403  # not a referent
    assert count(Course) == 1 and count(TrainingSession) == 1
    # Territory admins operate every module.
    assert login(autun.admin).get(f"{PREFIX}/manage").status_code == 200
    assert login(autun.operator).get(f"{PREFIX}/sessions/{autun_rows['session']}").status_code == 200
