"""Enrolment is offered once a course has a scheduled session."""
from coopserv.testing import prerequisite_checklist, service_offered

from .conftest import add_course, add_session


def test_iot_training_waits_for_a_course_and_a_session(make_client, autun):
    admin, employee = make_client(), make_client()
    admin.login(autun.admin)
    employee.login(autun.employee)
    todo, done, page = prerequisite_checklist(admin, "autun-morvan", "iot_training")
    assert (todo, done) == (2, 0)
    assert 'href="/t/autun-morvan/iot-training/manage"' in page and 'href="/t/autun-morvan/iot-training/sessions/new"' in page
    assert not service_offered(employee, "autun-morvan")

    course = add_course(autun.territory)
    assert prerequisite_checklist(admin, "autun-morvan", "iot_training")[:2] == (1, 1)

    add_session(autun.territory, course)
    assert prerequisite_checklist(admin, "autun-morvan", "iot_training")[:2] == (0, 2)
    assert service_offered(employee, "autun-morvan")
