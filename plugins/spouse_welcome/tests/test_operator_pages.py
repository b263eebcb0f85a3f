"""The welcome referent's work: case list, assignment, checklist, introductions and follow-up."""
from datetime import timedelta

from coopserv_plugins.spouse_welcome.models import Case, FollowUp, Introduction, Step

from coopserv.plugin_api import ServiceRequest, db, local_today, territory_scope
from coopserv.testing import Notification

from .conftest import all_rows

HTMX = {"HX-Request": "true"}


def test_case_list_shows_status_referent_and_progress(login, figeac, open_case):
    case = open_case()
    steps = all_rows(Step, case_id=case.id)
    operator = login(figeac.operator)
    operator.post_form(f"/t/figeac/spouse-welcome/steps/{steps[0].id}/toggle")
    page = operator.get("/t/figeac/spouse-welcome/cases").get_data(as_text=True)
    assert all_rows(ServiceRequest, id=case.request_id)[0].reference in page and "Thomas" in page
    assert f"1/{len(steps)}" in page
    table = operator.get("/t/figeac/spouse-welcome/cases?status=settled", headers=HTMX).get_data(as_text=True)
    assert table.lstrip().startswith('<table id="cases-table"') and "Thomas" not in table
    assert "Thomas" not in operator.get("/t/figeac/spouse-welcome/cases?mine=1").get_data(as_text=True)
    operator.post_form(f"/t/figeac/spouse-welcome/cases/{case.id}/assign", {"referent_id": str(figeac.operator.id)})
    assert "Thomas" in operator.get("/t/figeac/spouse-welcome/cases?mine=1").get_data(as_text=True)


def test_checklist_toggle_returns_the_row_for_htmx(login, figeac, open_case):
    case = open_case()
    step = next(step for step in all_rows(Step, case_id=case.id) if step.code == "housing_visits")
    operator = login(figeac.operator)
    response = operator.post_form(f"/t/figeac/spouse-welcome/steps/{step.id}/toggle", headers=HTMX)
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="step-{step.id}"') and 'aria-pressed="true"' in row
    assert all_rows(Step, id=step.id)[0].done_at is not None
    response = operator.post_form(f"/t/figeac/spouse-welcome/steps/{step.id}/toggle", headers=HTMX)
    assert 'aria-pressed="false"' in response.get_data(as_text=True)
    assert all_rows(Step, id=step.id)[0].done_at is None
    # The family reads its checklist but does not tick it on the referent's behalf.
    employee = login(figeac.employee)
    assert employee.post_form(f"/t/figeac/spouse-welcome/steps/{step.id}/toggle").status_code == 403
    assert all_rows(Step, id=step.id)[0].done_at is None


def test_operator_adds_a_step_and_bad_input_changes_nothing(login, figeac, open_case):
    case = open_case()
    before = len(all_rows(Step, case_id=case.id))
    operator = login(figeac.operator)
    url = f"/t/figeac/spouse-welcome/cases/{case.id}/steps"
    bad = operator.post_form(url, {"label": "", "kind": "spaceship", "due_date": "demain"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="label-error"' in page and 'id="kind-error"' in page and 'id="due_date-error"' in page
    assert len(all_rows(Step, case_id=case.id)) == before
    assert operator.post_form(url, {"label": "Inscription au club de rugby", "kind": "leisure"}).status_code == 302
    assert "Inscription au club de rugby" in [step.label for step in all_rows(Step, case_id=case.id)]


def test_assigning_a_referent_tells_the_family(login, figeac, open_case):
    case = open_case()
    operator = login(figeac.operator)
    url = f"/t/figeac/spouse-welcome/cases/{case.id}/assign"
    refused = operator.post_form(url, {"referent_id": str(figeac.employee.id)})
    assert refused.status_code == 422 and 'id="referent_id-error"' in refused.get_data(as_text=True)
    assert all_rows(Case)[0].referent_id is None
    assert operator.post_form(url, {"referent_id": str(figeac.operator.id)}).status_code == 302
    assert all_rows(Case)[0].referent_id == figeac.operator.id
    messages = [n.params for n in all_rows(Notification, user_id=figeac.employee.id)]
    assert {"name": "Anne Welcome"} in messages


def test_introductions_and_their_outcome(login, figeac, open_case):
    case = open_case()
    operator = login(figeac.operator)
    url = f"/t/figeac/spouse-welcome/cases/{case.id}/introductions"
    assert operator.post_form(url, {"organization_id": str(figeac.menuiserie.id), "notes": "CV envoyé"}).status_code == 302
    duplicate = operator.post_form(url, {"organization_id": str(figeac.menuiserie.id)})
    assert duplicate.status_code == 422 and 'id="organization_id-error"' in duplicate.get_data(as_text=True)
    # An association is not an employer here, and a missing company is refused.
    assert operator.post_json(url, {"organization_id": figeac.accueil.id}).status_code == 422
    assert operator.post_json(url, {"organization_id": 9999}).status_code == 422
    [intro] = all_rows(Introduction)
    assert intro.outcome == "pending" and intro.sent_by_id == figeac.operator.id

    outcome_url = f"/t/figeac/spouse-welcome/introductions/{intro.id}/outcome"
    assert operator.post_json(outcome_url, {"outcome": "promoted"}).status_code == 422
    row = operator.post_form(outcome_url, {"outcome": "hired"}, headers=HTMX)
    assert row.status_code == 200 and row.get_data(as_text=True).lstrip().startswith(f'<tr id="intro-{intro.id}"')
    intro = all_rows(Introduction)[0]
    assert intro.outcome == "hired" and intro.outcome_at is not None
    # The family sees the company and the outcome, not the referent's notes.
    family_page = login(figeac.employee).get(f"/t/figeac/spouse-welcome/cases/{case.id}").get_data(as_text=True)
    assert "Menuiserie du Célé" in family_page and "CV envoyé" not in family_page


def test_follow_up_is_recorded_once_a_year_has_passed(login, figeac, open_case):
    case = open_case()
    operator = login(figeac.operator)
    url = f"/t/figeac/spouse-welcome/cases/{case.id}/follow-up"
    early = operator.post_form(url, {"still_in_territory": "true"})
    assert early.status_code == 422 and 'id="still_in_territory-error"' in early.get_data(as_text=True)
    assert all_rows(FollowUp) == []
    with territory_scope(figeac.territory):
        stored = db.session.get(Case, case.id)
        stored.arrival_date = local_today() - timedelta(days=370)
        db.session.commit()
    assert operator.post_form(url, {"partner_working": "true"}).status_code == 422  # the main answer is required
    assert operator.post_form(url, {"still_in_territory": "true", "partner_working": "false"}).status_code == 302
    [follow_up] = all_rows(FollowUp)
    assert follow_up.still_in_territory is True and follow_up.partner_working is False
    operator.post_form(url, {"still_in_territory": "false"})
    assert [f.still_in_territory for f in all_rows(FollowUp)] == [False]  # corrected, not duplicated
