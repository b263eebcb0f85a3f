"""Opening a case (by the employee or their HR referent), validation, and the workflow."""
from datetime import timedelta

from coopserv_plugins.spouse_welcome.models import Case, Step

from coopserv.plugin_api import ServiceRequest, local_today

from .conftest import all_rows, request_id_from


def test_employee_opens_a_case_with_its_default_checklist(login, figeac, case_form):
    employee = login(figeac.employee)
    response = employee.post_form("/t/figeac/services/spouse_welcome/requests", case_form)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    request_id = request_id_from(response)
    [case] = all_rows(Case)
    assert case.request_id == request_id
    assert case.requester_id == figeac.employee.id and case.opened_by_id == figeac.employee.id
    assert case.languages == ["français", "espagnol"] and case.sectors == ["Bois", "Aéronautique"]
    assert case.children_ages == [2, 7]
    codes = {step.code for step in all_rows(Step, case_id=case.id)}
    # A two-year-old needs childcare and a seven-year-old a school: both steps are in the checklist.
    assert codes == {"first_meeting", "cv_review", "introductions", "housing_visits", "childcare", "school",
                     "associations"}
    assert all(step.due_date >= local_today() for step in all_rows(Step))
    first_meeting = next(step for step in all_rows(Step) if step.code == "first_meeting")
    assert first_meeting.due_date == local_today() + timedelta(days=7)  # default first_contact_days
    school = next(step for step in all_rows(Step) if step.code == "school")
    assert school.due_date == max(local_today(), case.arrival_date - timedelta(days=30))
    assert all_rows(ServiceRequest)[0].status == "opened"
    page = employee.get(f"/t/figeac/spouse-welcome/cases/{case.id}").get_data(as_text=True)
    assert "Thomas" in page and "Menuisier agenceur" in page
    detail = employee.get(f"/t/figeac/requests/{request_id}").get_data(as_text=True)
    assert f"/t/figeac/spouse-welcome/cases/{case.id}" in detail and "0 faite sur 7" in detail


def test_no_children_means_no_school_or_childcare_step(open_case):
    case = open_case(children_ages="")
    assert case.children_ages == []
    assert not {"school", "childcare"} & {step.code for step in all_rows(Step, case_id=case.id)}


def test_bad_input_gets_field_errors_and_stores_nothing(login, figeac, case_form):
    employee = login(figeac.employee)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    bad = dict(case_form, arrival_date=yesterday, children_ages="4, 30", profession="")
    response = employee.post_form("/t/figeac/services/spouse_welcome/requests", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("arrival_date", "children_ages", "profession"):
        assert f'id="{field}-error"' in page
    assert all_rows(ServiceRequest) == [] and all_rows(Case) == [] and all_rows(Step) == []

    api = employee.post_json("/t/figeac/services/spouse_welcome/requests",
                             dict(case_form, children_ages=["deux"], arrival_date="not a date"))
    assert api.status_code == 422
    assert set(api.get_json()["errors"]) == {"children_ages", "arrival_date"}
    too_far = (local_today() + timedelta(days=800)).isoformat()
    api = employee.post_json("/t/figeac/services/spouse_welcome/requests", dict(case_form, arrival_date=too_far,
                                                                                children_ages=[-1]))
    assert set(api.get_json()["errors"]) == {"arrival_date", "children_ages"}
    assert all_rows(ServiceRequest) == [] and all_rows(Case) == []


def test_a_child_of_25_is_accepted_and_of_26_refused(login, figeac, case_form):
    employee = login(figeac.employee)
    assert employee.post_json("/t/figeac/services/spouse_welcome/requests",
                              dict(case_form, children_ages="26")).status_code == 422
    assert employee.post_json("/t/figeac/services/spouse_welcome/requests",
                              dict(case_form, children_ages="0, 25")).status_code == 201


def test_workflow_is_enforced_by_the_core(login, figeac, open_case):
    case = open_case()
    url = f"/t/figeac/requests/{case.request_id}/transition"
    operator = login(figeac.operator)
    employee = login(figeac.employee)
    illegal = operator.post_json(url, {"transition": "settle"})
    assert illegal.status_code == 409 and illegal.get_json()["message"]
    assert employee.post_json(url, {"transition": "start"}).status_code == 409  # only operators start
    assert operator.post_json(url, {"transition": "start"}).status_code == 200
    assert employee.post_json(url, {"transition": "cancel"}).status_code == 409  # too late to cancel
    assert all_rows(Case)[0].closed_at is None
    assert operator.post_json(url, {"transition": "settle"}).status_code == 200
    assert all_rows(ServiceRequest)[0].status == "settled"
    assert all_rows(Case)[0].closed_at is not None  # the retention clock starts
    assert operator.post_json(url, {"transition": "close"}).status_code == 409


def test_the_family_may_cancel_while_the_case_is_opened(login, figeac, open_case):
    case = open_case()
    employee = login(figeac.employee)
    response = employee.post_json(f"/t/figeac/requests/{case.request_id}/transition", {"transition": "cancel"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert all_rows(Case)[0].closed_at is not None


def test_pilot_stage_keeps_other_companies_out(login, figeac, case_form):
    outsider = login(figeac.menuiserie_employee)
    assert outsider.post_json("/t/figeac/services/spouse_welcome/requests", case_form).status_code == 403
    assert login(figeac.menuiserie_referent).get("/t/figeac/spouse-welcome/referent").status_code == 403
    assert all_rows(Case) == []


def test_hr_referent_opens_a_case_for_an_employee_and_sees_only_its_status(login, figeac, case_form):
    referent = login(figeac.referent)
    page = referent.get("/t/figeac/spouse-welcome/referent").get_data(as_text=True)
    assert "Camille Martin" in page and "Lou Garcia" in page
    assert figeac.ratier_employee.email not in page
    response = referent.post_form("/t/figeac/spouse-welcome/referent/cases",
                                  dict(case_form, employee_id=str(figeac.employee.id)))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    [case] = all_rows(Case)
    assert case.requester_id == figeac.employee.id and case.opened_by_id == figeac.referent.id
    assert all_rows(ServiceRequest)[0].organization_id == figeac.aero.id

    status_page = referent.get("/t/figeac/spouse-welcome/referent").get_data(as_text=True)
    assert all_rows(ServiceRequest, id=case.request_id)[0].reference in status_page and "Ouvert" in status_page
    assert "Menuisier agenceur" not in status_page and "Thomas" not in status_page
    assert referent.get(f"/t/figeac/spouse-welcome/cases/{case.id}").status_code == 403
    assert referent.get(f"/t/figeac/requests/{case.request_id}").status_code == 403
    # The family sees its case.
    assert login(figeac.employee).get(f"/t/figeac/spouse-welcome/cases/{case.id}").status_code == 200


def test_hr_referent_cannot_open_a_case_for_another_companys_employee(login, figeac, case_form):
    referent = login(figeac.referent)
    response = referent.post_form("/t/figeac/spouse-welcome/referent/cases",
                                  dict(case_form, employee_id=str(figeac.ratier_employee.id), children_ages="40"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="children_ages-error"' in page
    response = referent.post_form("/t/figeac/spouse-welcome/referent/cases",
                                  dict(case_form, employee_id=str(figeac.ratier_employee.id)))
    assert response.status_code == 422 and 'id="employee_id-error"' in response.get_data(as_text=True)
    assert all_rows(Case) == [] and all_rows(ServiceRequest) == []
