"""Personal data export and erasure, and anonymisation of closed cases after the retention period."""
from datetime import timedelta

from coopserv_plugins.spouse_welcome import services
from coopserv_plugins.spouse_welcome.models import Case, FollowUp, Introduction

from coopserv.plugin_api import ServiceRequest, db, plugin_host, territory_scope, utcnow
from coopserv.testing import erase_person, export_person

from .conftest import all_rows


def test_export_then_erase_the_familys_data(login, figeac, open_case):
    case = open_case()
    login(figeac.operator).post_form(f"/t/figeac/spouse-welcome/cases/{case.id}/introductions",
                                     {"organization_id": str(figeac.menuiserie.id), "notes": "Thomas, 06 12 34 56 78"})
    exported = export_person(figeac.employee)
    [row] = exported["spouse_welcome_cases"]
    assert row["partner_first_name"] == "Thomas" and row["children_ages"] == [2, 7]
    assert row["arrival_date"] == case.arrival_date.isoformat()

    erase_person(figeac.employee)
    [case] = all_rows(Case)
    assert case.requester_id is None and case.partner_first_name == "" and case.children_ages == []
    assert case.profession == "" and case.housing_needs == "" and case.languages == []
    assert case.sectors == []  # typed by the family: erased with the rest
    assert all_rows(ServiceRequest)[0].payload == {}
    # The welcome referent's notes about the family go with the family.
    assert all_rows(Introduction)[0].notes == "Contribution retirée"
    with territory_scope(figeac.territory):
        assert services.anonymise_expired_cases(figeac.module, utcnow()) == 1
    assert all_rows(Introduction)[0].notes == "" and all_rows(Case)[0].anonymised_at is not None


def _close(figeac, login, case, transition="close"):
    operator = login(figeac.operator)
    assert operator.post_json(f"/t/figeac/requests/{case.request_id}/transition",
                              {"transition": transition}).status_code == 200


def _age_closure(territory, case_id, days):
    with territory_scope(territory):
        case = db.session.get(Case, case_id)
        case.closed_at = utcnow() - timedelta(days=days)
        db.session.commit()


def test_closed_cases_are_anonymised_after_the_retention_period(login, figeac, open_case, case_form):
    with territory_scope(figeac.territory):
        figeac.module.config = dict(figeac.module.config, retention_days=90)
        db.session.commit()
    old = open_case()
    recent = open_case(user=figeac.colleague, partner_first_name="Inès")
    still_open = open_case(user=figeac.ratier_employee, partner_first_name="Marc")
    _close(figeac, login, old)
    _close(figeac, login, recent)
    operator = login(figeac.operator)
    operator.post_form(f"/t/figeac/spouse-welcome/cases/{old.id}/introductions",
                       {"organization_id": str(figeac.menuiserie.id), "notes": "Contact : M. Delmas"})
    _age_closure(figeac.territory, old.id, 91)
    _age_closure(figeac.territory, recent.id, 89)

    with territory_scope(figeac.territory):
        assert services.anonymise_expired_cases(figeac.module, utcnow()) == 1
        assert services.anonymise_expired_cases(figeac.module, utcnow()) == 0  # idempotent
    cases = {case.id: case for case in all_rows(Case)}
    assert cases[old.id].partner_first_name == "" and cases[old.id].requester_id is None
    assert cases[old.id].anonymised_at is not None
    assert all_rows(Introduction)[0].notes == "" and all_rows(Introduction)[0].outcome == "pending"
    request = all_rows(ServiceRequest, id=old.request_id)[0]
    assert request.payload == {} and request.requester_id is None
    assert cases[recent.id].partner_first_name == "Inès" and cases[still_open.id].partner_first_name == "Marc"
    # The family no longer finds an anonymised case; the welcome team still sees its statistics.
    assert login(figeac.employee).get(f"/t/figeac/spouse-welcome/cases/{old.id}").status_code == 403
    assert login(figeac.operator).get(f"/t/figeac/spouse-welcome/cases/{old.id}").status_code == 200


def test_the_tick_hook_applies_the_retention(login, figeac, open_case):
    case = open_case()
    _close(figeac, login, case)
    _age_closure(figeac.territory, case.id, 731)  # default retention: 730 days
    with territory_scope(figeac.territory):
        db.session.add(FollowUp(case_id=case.id, still_in_territory=True, notes="Installés à Capdenac"))
        db.session.commit()
        plugin_host().call_each("tick", territory=figeac.territory, now=utcnow())
    [case] = all_rows(Case)
    assert case.anonymised_at is not None and case.partner_first_name == ""
    assert all_rows(FollowUp)[0].notes == "" and all_rows(FollowUp)[0].still_in_territory is True


def test_reopening_is_impossible_and_a_live_case_keeps_its_data(login, figeac, open_case):
    case = open_case()
    _age_closure(figeac.territory, case.id, 1000)  # a stray date on an opened case is not a closure
    with territory_scope(figeac.territory):
        assert services.anonymise_expired_cases(figeac.module, utcnow()) == 0
    assert all_rows(Case)[0].partner_first_name == "Thomas"


def test_the_admins_export_counts_the_case_but_leaves_its_contents_out(login, figeac, open_case):
    case = open_case()
    login(figeac.operator).post_form(f"/t/figeac/spouse-welcome/cases/{case.id}/introductions",
                                     {"organization_id": str(figeac.menuiserie.id), "notes": "Thomas, 06 12 34 56 78"})
    response = login(figeac.admin).get(f"/t/figeac/admin/people/{figeac.employee.id}/export")
    assert response.status_code == 200
    exported = response.get_json()
    assert exported["spouse_welcome_cases"] == {"withheld": 1}
    assert exported["spouse_welcome_introductions"] == {"withheld": 1}
    text = response.get_data(as_text=True)
    assert "Thomas" not in text and "06 12 34 56 78" not in text
    assert exported["account"]["email"] == figeac.employee.email
    # The platform operator's export (a subject access request) still gives the person everything.
    assert export_person(figeac.employee)["spouse_welcome_cases"][0]["partner_first_name"] == "Thomas"
