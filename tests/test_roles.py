"""Role checks on the server: each page answers only to the roles it is meant for."""
import pytest

from tests.helpers import place_order, text_of

ADMIN_PAGES = ["/t/figeac/admin/", "/t/figeac/admin/members", "/t/figeac/admin/organizations",
               "/t/figeac/admin/audit", "/t/figeac/admin/plugins", "/t/figeac/admin/modules/",
               "/t/figeac/admin/modules/concierge"]
OPERATOR_PAGES = ["/t/figeac/operator/concierge", "/t/figeac/concierge/manage", "/t/figeac/concierge/round"]


@pytest.fixture
def signed_in(make_client):
    def sign_in(user):
        client = make_client()
        client.login(user)
        return client

    return sign_in


def test_employee_reaches_neither_admin_nor_operator_pages(figeac, signed_in):
    employee = signed_in(figeac.employee)
    for url in ADMIN_PAGES + OPERATOR_PAGES + ["/t/figeac/operator", "/t/figeac/my-organization"]:
        assert employee.get(url).status_code == 403, url
    assert employee.post_form("/t/figeac/admin/modules/concierge/disable").status_code == 403
    assert employee.get("/t/figeac/requests").status_code == 200


def test_operator_works_the_concierge_queue_but_not_admin(figeac, catalogue, signed_in, scoped):
    from coopserv.extensions import db
    from coopserv.service_requests.models import ServiceRequest

    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    operator = signed_in(figeac.operator)
    for url in OPERATOR_PAGES:
        assert operator.get(url).status_code == 200, url
    assert operator.get("/t/figeac/operator").headers["Location"].endswith("/t/figeac/operator/concierge")
    for url in ADMIN_PAGES:
        assert operator.get(url).status_code == 403, url
    moved = operator.post_form(f"/t/figeac/requests/{request.id}/transition", {"transition": "accept"})
    assert moved.status_code == 302
    with scoped(figeac.territory):
        assert db.session.get(ServiceRequest, request.id).status == "accepted"


def test_operator_of_another_module_cannot_work_the_concierge(figeac, make_user, enable_module, signed_in):
    from coopserv.tenancy import territory_scope

    with territory_scope(figeac.territory):
        from coopserv.modules.models import ServiceModule

        # A second module row of the same territory, as another plugin's would be.
        other = ServiceModule(service_key="other-service", stage="perennial", config={})
        from coopserv.extensions import db

        db.session.add(other)
        db.session.commit()
    stranger = signed_in(make_user(figeac.territory, "service_operator", module=other))
    assert stranger.get("/t/figeac/operator/concierge").status_code == 403
    assert stranger.get("/t/figeac/concierge/manage").status_code == 403


def test_referent_sees_their_organization_and_renews_its_code(figeac, signed_in, scoped):
    from coopserv.extensions import db

    referent = signed_in(figeac.referent)
    page = text_of(referent.get("/t/figeac/my-organization"))
    assert figeac.aero.invitation_code in page and "camille@aero.example" in page
    assert "lou@menuiserie.example" not in page  # another company's employee
    old_code = figeac.aero.invitation_code
    assert referent.post_form("/t/figeac/my-organization", {"organization_id": figeac.aero.id}).status_code == 302
    db.session.refresh(figeac.aero)
    assert figeac.aero.invitation_code != old_code
    # Not their organization: refused, code unchanged.
    menuiserie_code = figeac.menuiserie.invitation_code
    assert referent.post_form("/t/figeac/my-organization", {"organization_id": figeac.menuiserie.id}).status_code == 403
    db.session.refresh(figeac.menuiserie)
    assert figeac.menuiserie.invitation_code == menuiserie_code


def test_anonymous_visitors_are_sent_to_login(figeac, client):
    for url in ["/t/figeac/requests", "/t/figeac/notifications", "/t/figeac/admin/", "/t/figeac/operator/concierge",
                "/t/figeac/my-organization", "/t/figeac/services/concierge"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    assert client.get("/t/figeac/").status_code == 200


def test_platform_admin_passes_admin_checks_in_every_territory(figeac, autun, make_user, signed_in):
    platform = signed_in(make_user(platform_admin=True))
    for slug in ("figeac", "autun-morvan"):
        for url in ADMIN_PAGES:
            assert platform.get(url.replace("figeac", slug, 1)).status_code == 200, url
        assert platform.get(f"/t/{slug}/operator/concierge").status_code == 200


def test_pending_member_is_not_yet_a_member(figeac, catalogue, make_user, signed_in):
    pending = signed_in(make_user(figeac.territory, "employee", status="pending"))
    assert pending.get("/t/figeac/requests").status_code == 403
    assert pending.get("/t/figeac/services/concierge").status_code == 403
    home = text_of(pending.get("/t/figeac/"))
    assert "Votre inscription attend la validation" in home
    assert "pas encore rattaché à une organisation" in home  # why the concierge is not available
