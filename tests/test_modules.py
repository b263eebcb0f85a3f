"""Territory admin of service modules: enable, disable, configure, stage and pilots, with an audit trail."""
import pytest

from coopserv.audit.models import AuditEntry
from coopserv.modules.models import ServiceModule
from coopserv.service_requests.models import ServiceRequest
from tests.helpers import count_rows, order_payload, rows, text_of

PILOTS_ONLY = "Ce service est en expérimentation avec les organisations pilotes uniquement."


@pytest.fixture
def admin(make_client, figeac):
    client = make_client()
    client.login(figeac.admin)
    return client


def _module(slug="figeac"):
    from coopserv.territories.models import Territory

    [territory] = rows(Territory, slug=slug)
    [module] = rows(ServiceModule, service_key="concierge", territory_id=territory.id)
    return module


def test_disable_then_enable_a_module(admin, make_client, figeac):
    employee = make_client()
    employee.login(figeac.employee)
    assert "Conciergerie" in text_of(employee.get("/t/figeac/"))
    assert admin.post_form("/t/figeac/admin/modules/concierge/disable").status_code == 302
    assert _module().enabled is False
    assert employee.get("/t/figeac/services/concierge").status_code == 404
    assert "Conciergerie" not in text_of(employee.get("/t/figeac/"))
    assert admin.post_form("/t/figeac/admin/modules/concierge/enable").status_code == 302
    assert _module().enabled is True
    assert employee.get("/t/figeac/services/concierge").status_code == 200


def test_invalid_config_form_gives_field_errors_and_keeps_the_config(admin, figeac):
    before = dict(_module().config)
    response = admin.post_form("/t/figeac/admin/modules/concierge",
                               {"min_days_ahead": "99", "max_days_ahead": "abc", "max_items_per_order": "5"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="min_days_ahead-error"' in page and 'id="max_days_ahead-error"' in page
    assert _module().config == before


def test_invalid_config_as_json_gives_field_errors_and_keeps_the_config(admin, figeac):
    before = dict(_module().config)
    response = admin.post_json("/t/figeac/admin/modules/concierge", {"min_days_ahead": 5, "max_days_ahead": 3})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"max_days_ahead"}
    assert _module().config == before
    good = admin.post_json("/t/figeac/admin/modules/concierge", {"min_days_ahead": 2, "max_days_ahead": 20})
    assert good.status_code == 200
    assert _module().config["min_days_ahead"] == 2 and _module().config["max_days_ahead"] == 20


def test_prototype_module_is_for_pilot_organizations_only(admin, make_client, figeac, catalogue):
    response = admin.post_form("/t/figeac/admin/modules/concierge/settings",
                               {"stage": "prototype", "access": "open",
                                "pilot_organization_ids[]": [str(figeac.menuiserie.id)]})
    assert response.status_code == 302
    module = _module()
    assert module.stage == "prototype" and [o.name for o in module.pilot_organizations] == ["Menuiserie du Célé"]

    outsider = make_client()
    outsider.login(figeac.employee)  # works for Figeac Aéro, not a pilot
    home = text_of(outsider.get("/t/figeac/"))
    assert PILOTS_ONLY in home
    assert "/t/figeac/services/concierge" not in home
    refused = outsider.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue))
    assert refused.status_code == 403
    assert refused.get_json()["message"] == PILOTS_ONLY
    form = outsider.post_form("/t/figeac/services/concierge/requests",
                              {"items": "", "slot_id": catalogue.tuesday.id})
    assert form.status_code == 403 and PILOTS_ONLY in text_of(form)
    assert count_rows(ServiceRequest) == 0

    pilot = make_client()
    pilot.login(figeac.colleague)  # Menuiserie du Célé
    assert PILOTS_ONLY not in text_of(pilot.get("/t/figeac/"))
    assert pilot.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201
    assert count_rows(ServiceRequest) == 1


def test_pilots_must_belong_to_the_territory(admin, figeac, autun):
    response = admin.post_form("/t/figeac/admin/modules/concierge/settings",
                               {"stage": "pilot", "pilot_organization_ids[]": [str(autun.company.id)]})
    assert response.status_code == 422
    assert _module().stage == "perennial" and _module().pilot_organizations == []


def test_admin_actions_are_in_the_audit_log(admin, figeac, scoped):
    from sqlalchemy import select

    from coopserv.accounts.models import Membership
    from coopserv.extensions import db

    with scoped(figeac.territory):
        membership_id = db.session.scalar(select(Membership.id).filter_by(user_id=figeac.colleague.id))
    admin.post_form("/t/figeac/admin/modules/concierge/settings", {"stage": "pilot"})
    admin.post_json("/t/figeac/admin/modules/concierge", {"min_days_ahead": 3})
    admin.post_form("/t/figeac/admin/modules/concierge/disable")
    admin.post_form(f"/t/figeac/admin/members/{membership_id}/grant", {"role": "company_referent"})
    [referent] = rows(Membership, user_id=figeac.colleague.id, role="company_referent")
    admin.post_form(f"/t/figeac/admin/members/{referent.id}/revoke")
    assert rows(Membership, user_id=figeac.colleague.id, role="company_referent") == []

    entries = [(e.action, e.target, e.actor_id, e.territory_id)
               for e in rows(AuditEntry) if e.actor_id == figeac.admin.id]
    expected = [("module.settings_changed", "concierge"), ("module.configured", "concierge"),
                ("module.disabled", "concierge"), ("membership.role_granted", "lou@menuiserie.example"),
                ("membership.role_revoked", "lou@menuiserie.example")]
    assert [(action, target) for action, target, _, _ in entries] == expected
    assert {territory for *_, territory in entries} == {figeac.territory.id}
    assert all(e.at is not None for e in rows(AuditEntry))
    page = text_of(admin.get("/t/figeac/admin/audit"))
    for action, _target in expected:
        assert action in page


def test_every_service_configuration_page_renders(admin):
    """Labels and help of plugins' configuration fields are shown as written, even with a literal % sign."""
    from coopserv.plugin_host import plugin_host

    for key in plugin_host().service_types:
        if admin.get(f"/t/figeac/admin/modules/{key}").status_code == 404:
            assert admin.post_form(f"/t/figeac/admin/modules/{key}/enable").status_code == 302
        page = admin.get(f"/t/figeac/admin/modules/{key}")
        assert page.status_code == 200, key
    assert "(%)" in text_of(admin.get("/t/figeac/admin/modules/iot_training"))
