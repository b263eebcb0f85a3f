"""Every form needs its CSRF token: a forged POST is refused and changes nothing."""
from coopserv.modules.models import ServiceModule
from coopserv.service_requests.models import ServiceRequest
from tests.helpers import count_rows, rows


def test_order_without_token_is_refused_and_stores_nothing(make_client, figeac, order_form):
    employee = make_client()
    employee.login(figeac.employee)
    response = employee.post("/t/figeac/services/concierge/requests", data=order_form)
    assert response.status_code == 400
    assert count_rows(ServiceRequest) == 0
    # The same form with the token goes through: the token was the only thing missing.
    assert employee.post_form("/t/figeac/services/concierge/requests", order_form).status_code == 302
    assert count_rows(ServiceRequest) == 1


def test_admin_action_with_a_wrong_token_is_refused(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    response = admin.post("/t/figeac/admin/modules/concierge/disable", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert [module.enabled for module in rows(ServiceModule)] == [True]


def test_json_without_csrf_header_is_refused_with_json(make_client, figeac, catalogue):
    from tests.helpers import order_payload

    employee = make_client()
    employee.login(figeac.employee)
    response = employee.post("/t/figeac/services/concierge/requests", json=order_payload(catalogue),
                             headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["status"] == 400
    assert count_rows(ServiceRequest) == 0


def test_login_and_logout_need_the_token_too(client, figeac):
    assert client.post("/login", data={"email": figeac.employee.email, "password": "x"}).status_code == 400
    assert client.post("/logout").status_code == 400
