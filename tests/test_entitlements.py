"""Entitlements from the employer: members-only modules and their quotas, explained in the portal."""
import pytest

from coopserv.modules.services import set_member
from coopserv.service_requests.models import ServiceRequest
from tests.helpers import count_rows, order_payload, text_of

NOT_A_MEMBER = "Votre employeur ne participe pas à ce service."


@pytest.fixture
def members_only(figeac, scoped):
    from coopserv.modules.services import update_settings

    with scoped(figeac.territory):
        update_settings(figeac.module, {"stage": "perennial", "access": "members_only"})
    return figeac.module


@pytest.fixture
def employee(make_client, figeac):
    client = make_client()
    client.login(figeac.employee)
    return client


def _join(figeac, scoped, quota_kind="none", quota_value=None):
    with scoped(figeac.territory):
        set_member(figeac.module, {"organization_id": figeac.aero.id, "quota_kind": quota_kind,
                                   "quota_value": quota_value})


def test_members_only_without_membership_shows_why_and_refuses(members_only, employee, catalogue):
    assert NOT_A_MEMBER in text_of(employee.get("/t/figeac/"))
    response = employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue))
    assert response.status_code == 403
    assert response.get_json()["message"] == NOT_A_MEMBER
    assert count_rows(ServiceRequest) == 0


def test_member_organization_may_request(members_only, employee, catalogue, figeac, scoped):
    _join(figeac, scoped)
    assert NOT_A_MEMBER not in text_of(employee.get("/t/figeac/"))
    assert employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201


def test_monthly_quota_reached_is_refused_with_the_reason(members_only, employee, catalogue, figeac, scoped):
    _join(figeac, scoped, "monthly_requests", 2)
    for _ in range(2):
        assert employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201
    reason = "Le quota de votre employeur pour ce mois est épuisé (2 sur 2)."
    refused = employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue))
    assert refused.status_code == 403 and refused.get_json()["message"] == reason
    assert reason in text_of(employee.get("/t/figeac/"))
    assert count_rows(ServiceRequest) == 2


def test_places_quota_counts_only_open_requests(members_only, employee, catalogue, figeac, scoped):
    _join(figeac, scoped, "places", 1)
    first = employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).get_json()["id"]
    refused = employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue))
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "Toutes les places financées par votre employeur sont prises (1 sur 1)."
    # Cancelled: the place is free again.
    assert employee.post_json(f"/t/figeac/requests/{first}/transition", {"transition": "cancel"}).status_code == 200
    assert employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201
    assert count_rows(ServiceRequest) == 2


def test_quota_of_one_organization_does_not_limit_another(members_only, make_client, catalogue, figeac, scoped):
    _join(figeac, scoped, "places", 1)
    with scoped(figeac.territory):
        set_member(figeac.module, {"organization_id": figeac.menuiserie.id, "quota_kind": "places", "quota_value": 1})
    aero, menuiserie = make_client(), make_client()
    aero.login(figeac.employee)
    menuiserie.login(figeac.colleague)
    assert aero.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201
    assert menuiserie.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201


def test_quota_needs_a_value(figeac, scoped):
    from marshmallow import ValidationError

    with scoped(figeac.territory), pytest.raises(ValidationError) as error:
        set_member(figeac.module, {"organization_id": figeac.aero.id, "quota_kind": "places"})
    assert "quota_value" in error.value.messages


@pytest.mark.parametrize("access", ["open", "members_only"])
def test_quotas_hold_whatever_the_access_rule(access, employee, make_client, catalogue, figeac, scoped):
    """A participating organization's 1-per-month quota is enforced on an open module too; others are not limited."""
    from coopserv.modules.services import update_settings

    with scoped(figeac.territory):
        update_settings(figeac.module, {"stage": "perennial", "access": access})
    _join(figeac, scoped, "monthly_requests", 1)
    assert employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == 201
    refused = employee.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue))
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "Le quota de votre employeur pour ce mois est épuisé (1 sur 1)."
    assert "(1 sur 1)" in text_of(employee.get("/t/figeac/"))
    colleague = make_client()
    colleague.login(figeac.colleague)  # Menuiserie du Célé takes no part in the quota agreement
    expected = 201 if access == "open" else 403
    assert colleague.post_json("/t/figeac/services/concierge/requests", order_payload(catalogue)).status_code == expected
    assert count_rows(ServiceRequest) == (2 if access == "open" else 1)
