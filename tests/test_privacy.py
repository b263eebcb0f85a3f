"""Personal data: export and erase one person across the core and the concierge."""
import json

import pytest
from coopserv_plugins.concierge.models import Order

from coopserv.accounts.models import Membership, User
from coopserv.audit.models import AuditEntry
from coopserv.notifications.models import Notification
from coopserv.privacy.services import erase_person, export_person
from coopserv.service_requests.models import ServiceRequest, StatusChange
from tests.helpers import place_order, rows

NOTES = "Allergique à l'amidon, appeler le 06 12 34 56 78"


@pytest.fixture
def order(figeac, catalogue):
    return place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue, notes=NOTES)


def test_export_gathers_core_and_concierge_rows(figeac, order):
    data = export_person(figeac.employee)
    json.dumps(data)  # ready to download as JSON
    assert data["account"]["email"] == "camille@aero.example"
    assert [(m["role"], m["organization_id"]) for m in data["memberships"]] == [("employee", figeac.aero.id)]
    assert [r["id"] for r in data["service_requests"]] == [order.id]
    assert data["service_requests"][0]["payload"]["notes"] == NOTES
    assert [o["notes"] for o in data["concierge_orders"]] == [NOTES]
    assert len(data["notifications"]) == 1
    assert [c["to_status"] for c in data["status_changes"]] == ["submitted"]
    # Times say they are UTC (ISO 8601 with an offset), so the file reads the same anywhere.
    assert data["account"]["created_at"].endswith("+00:00")
    assert data["service_requests"][0]["created_at"].endswith("+00:00")
    # Nobody else's rows.
    assert export_person(figeac.colleague)["service_requests"] == []


def test_erase_deletes_the_account_and_anonymises_what_statistics_need(figeac, order):
    user_id, request_id, colleague_id, aero_id = figeac.employee.id, order.id, figeac.colleague.id, figeac.aero.id
    erase_person(figeac.employee)
    assert rows(User, id=user_id) == []
    assert rows(Membership, user_id=user_id) == [] and rows(Notification, user_id=user_id) == []
    [request] = rows(ServiceRequest, id=request_id)
    assert (request.requester_id, request.payload, request.status) == (None, {}, "submitted")
    assert request.organization_id == aero_id  # statistics per organization survive
    [concierge_order] = rows(Order, request_id=request_id)
    assert (concierge_order.requester_id, concierge_order.notes) == (None, "")
    assert concierge_order.total_cents == 350 and len(concierge_order.lines) == 1
    assert [c.actor_id for c in rows(StatusChange, request_id=request_id)] == [None]
    # Others are untouched.
    assert len(rows(User, id=colleague_id)) == 1


def test_admin_exports_a_member_as_json(make_client, figeac, order):
    admin = make_client()
    admin.login(figeac.admin)
    response = admin.get(f"/t/figeac/admin/people/{figeac.employee.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["account"]["email"] == "camille@aero.example"
    assert body["concierge_orders"][0]["notes"] == NOTES
    assert [e.action for e in rows(AuditEntry, actor_id=figeac.admin.id)] == ["privacy.exported"]


def test_admin_erases_a_member_of_this_territory_only(make_client, figeac, autun, order, scoped):
    from coopserv.accounts.services import grant_role

    employee_id, request_id = figeac.employee.id, order.id
    admin = make_client()
    admin.login(figeac.admin)
    from coopserv.privacy.services import pseudonym

    reference = pseudonym(figeac.employee)
    confirmation = admin.get(f"/t/figeac/admin/people/{employee_id}/erase")
    assert confirmation.status_code == 200 and 'name="confirm"' in confirmation.get_data(as_text=True)
    # Without ticking the confirmation, nothing happens.
    assert admin.post_form(f"/t/figeac/admin/people/{employee_id}/erase").status_code == 422
    assert len(rows(User, id=employee_id)) == 1
    assert admin.post_form(f"/t/figeac/admin/people/{employee_id}/erase", {"confirm": "yes"}).status_code == 302
    assert rows(User, id=employee_id) == []
    assert rows(Order, request_id=request_id)[0].notes == ""
    # The audit log keeps a pseudonym, never the e-mail.
    assert [(e.target, e.actor_id) for e in rows(AuditEntry, action="privacy.erased")] == [
        (reference, figeac.admin.id)]
    assert reference.startswith("person-") and len(reference) == len("person-") + 12
    assert not [e for e in rows(AuditEntry) if "camille@aero.example" in f"{e.target} {e.details}"]

    # Someone who also belongs to Autun is not erased from Figeac's admin pages.
    with scoped(autun.territory):
        grant_role(figeac.colleague, "employee", autun.company.id)
    assert admin.post_form(f"/t/figeac/admin/people/{figeac.colleague.id}/erase",
                           {"confirm": "yes"}).status_code == 403
    assert "coopserv person erase" in admin.get(f"/t/figeac/admin/people/{figeac.colleague.id}/erase").get_data(
        as_text=True)
    assert len(rows(User, id=figeac.colleague.id)) == 1
    assert len(rows(Membership, user_id=figeac.colleague.id)) == 2


def test_admin_cannot_erase_themselves(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    assert admin.post_form(f"/t/figeac/admin/people/{figeac.admin.id}/erase", {"confirm": "yes"}).status_code == 403
    assert len(rows(User, id=figeac.admin.id)) == 1


def test_export_and_erase_cover_needs_and_governance(app, figeac):
    """What a person said in needs intake stays, detached from them; their votes and seats go."""
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.needs import services as needs
    from coopserv.needs.models import Need
    from coopserv.privacy.services import erase_person, export_person
    from coopserv.tenancy import territory_scope

    with territory_scope(figeac.territory):
        needs.ensure_categories()
        need = needs.submit_need({"title": "Navette du matin", "description": "Depuis la gare de Figeac.",
                                  "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                                 figeac.employee, figeac.aero, False)
        need_id = need.id
    exported = export_person(figeac.employee)
    assert [row["title"] for row in exported["needs"]] == ["Navette du matin"]
    erase_person(figeac.employee)
    with territory_scope(figeac.territory):
        kept = db.session.scalar(select(Need).filter_by(id=need_id))
        # The need keeps its place (others may support it), without the author's words.
        assert kept.title == "Contribution retirée" and kept.author_id is None
        assert "gare de Figeac" not in kept.description
