"""Preview as an employee: an admin sees the portal as an organization's employee, read-only."""
from coopserv.service_requests.models import ServiceRequest
from tests.helpers import count_rows, text_of

BANNER = "Vous voyez le portail comme un·e salarié·e de"
PILOTS_ONLY = "Ce service est en expérimentation avec les organisations pilotes uniquement."


def _start(client, organization, service_key=None):
    data = {"organization_id": str(organization.id)}
    if service_key:
        data["service_key"] = service_key
    return client.post_form("/t/figeac/preview/start", data)


def test_the_admin_sees_a_service_as_each_organizations_employees_do(make_client, figeac, order_form):
    from coopserv.modules.services import update_settings
    from coopserv.tenancy import territory_scope

    with territory_scope(figeac.territory):
        update_settings(figeac.module, {"stage": "pilot", "access": "open", "pilot_organization_ids": [figeac.aero.id]})
    admin = make_client()
    admin.login(figeac.admin)
    assert "Aperçu en tant que salarié·e" in text_of(admin.get("/t/figeac/admin/modules/concierge"))

    started = _start(admin, figeac.aero, "concierge")
    assert started.status_code == 303 and started.headers["Location"].endswith("/t/figeac/services/concierge")
    page = text_of(admin.get("/t/figeac/services/concierge"))
    assert BANNER in page and "Figeac Aéro" in page and "Terminer l’aperçu" in page
    assert 'name="slot_id"' in page  # the pilot's employees get the form

    # Admin pages answer as they would to an employee.
    assert admin.get("/t/figeac/admin/").status_code == 403

    admin.post_form("/t/figeac/preview/end")
    _start(admin, figeac.menuiserie, "concierge")
    page = text_of(admin.get("/t/figeac/services/concierge"))
    assert "Menuiserie du Célé" in page and 'name="slot_id"' not in page
    assert PILOTS_ONLY in page


def test_nothing_can_be_written_during_a_preview(make_client, figeac, order_form):
    admin = make_client()
    admin.login(figeac.admin)
    _start(admin, figeac.aero)
    refused = admin.post_form("/t/figeac/services/concierge/requests", order_form)
    assert refused.status_code == 303
    assert "rien ne peut être modifié" in text_of(admin.get("/t/figeac/"))
    api = admin.post_json("/t/figeac/services/concierge/requests", {"items": []})
    assert api.status_code == 403
    assert admin.post_form("/t/figeac/admin/organizations", {"name": "Intruse"}).status_code == 303
    assert count_rows(ServiceRequest) == 0
    from coopserv.organizations.models import Organization

    assert count_rows(Organization, name="Intruse") == 0


def test_the_preview_ends_on_demand_and_returns_where_it_started(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    _start(admin, figeac.aero, "concierge")
    ended = admin.post_form("/t/figeac/preview/end")
    assert ended.status_code == 303 and ended.headers["Location"].endswith("/t/figeac/admin/modules/concierge")
    page = text_of(admin.get("/t/figeac/admin/modules/concierge"))
    assert BANNER not in page


def test_only_admins_may_preview_and_only_this_territorys_organizations(make_client, figeac, autun):
    employee = make_client()
    employee.login(figeac.employee)
    assert _start(employee, figeac.menuiserie).status_code == 403
    assert BANNER not in text_of(employee.get("/t/figeac/"))

    admin = make_client()
    admin.login(figeac.admin)
    refused = _start(admin, autun.company)
    assert refused.status_code == 303
    assert BANNER not in text_of(admin.get("/t/figeac/"))
    wrong = admin.post_json("/t/figeac/preview/start", {"organization_id": "abc"})
    assert wrong.status_code == 422 and "organization_id" in wrong.get_json()["errors"]


def test_a_preview_is_dropped_when_the_person_is_no_longer_admin(make_client, figeac):
    from coopserv.accounts.models import Membership
    from coopserv.extensions import db
    from coopserv.tenancy import ALL_TERRITORIES
    from sqlalchemy import select

    admin = make_client()
    admin.login(figeac.admin)
    _start(admin, figeac.aero)
    membership = db.session.scalar(select(Membership).filter_by(user_id=figeac.admin.id)
                                   .execution_options(**{ALL_TERRITORIES: True}))
    membership.status = "revoked"
    db.session.commit()
    page = admin.get("/t/figeac/")
    assert BANNER not in text_of(page)
