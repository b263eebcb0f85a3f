"""The REST API: tokens, territories, modules, requests, indicators, errors, OpenAPI document."""
import html

import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.indicators.services import current_month
from coopserv.modules.models import ServiceModule
from coopserv.service_requests.models import ServiceRequest
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.tokens.services import create_token


@pytest.fixture
def token_for(app):
    def make(user, territory):
        with territory_scope(territory):
            return create_token(user, territory, "test")[1]
    return make


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def _requests_count():
    return db.session.scalar(select(func.count(ServiceRequest.id)).execution_options(**{ALL_TERRITORIES: True}))


def _order(catalogue, order_form):
    return {"service_key": "concierge", "payload": {
        "items": [{"item_id": catalogue.shirt.id, "quantity": 2}], "slot_id": catalogue.tuesday.id,
        "dropoff_date": order_form["dropoff_date"]}}


def test_openapi_document_is_valid_and_documents_plugins(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert "/api/v1/territories/{territory_slug}/requests/" in spec["paths"]
    assert "concierge_request_payload" in spec["components"]["schemas"]
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert '"validatorUrl": null' in html.unescape(docs)  # no call to validator.swagger.io from visitors' browsers
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_territories_are_public(client, figeac, autun):
    listed = client.get("/api/v1/territories/").get_json()
    assert [t["slug"] for t in listed] == ["autun-morvan", "figeac"]
    assert listed[1]["services"][0]["service_key"] == "concierge"
    assert client.get("/api/v1/territories/nowhere").status_code == 404


def test_no_token_or_a_revoked_one_is_refused(client, figeac, token_for):
    assert client.get("/api/v1/territories/figeac/requests/").status_code == 401
    secret = token_for(figeac.employee, figeac.territory)
    assert client.get("/api/v1/territories/figeac/requests/", headers=_auth(secret)).status_code == 200
    with territory_scope(figeac.territory):
        from coopserv.tokens.models import AccessToken
        from coopserv.tokens.services import revoke_token

        revoke_token(db.session.scalar(select(AccessToken)), figeac.employee)
    response = client.get("/api/v1/territories/figeac/requests/", headers=_auth(secret))
    assert response.status_code == 401 and response.get_json()["message"]


def test_a_token_of_one_territory_can_do_nothing_in_another(client, figeac, autun, catalogue, order_form, token_for):
    autun_admin = token_for(autun.admin, autun.territory)
    for method, path, body in [
        ("get", "/api/v1/territories/figeac/requests/", None),
        ("post", "/api/v1/territories/figeac/requests/", _order(catalogue, order_form)),
        ("get", "/api/v1/territories/figeac/modules/", None),
        ("patch", "/api/v1/territories/figeac/modules/concierge", {"stage": "stopped"}),
        ("get", "/api/v1/territories/figeac/indicators/", None),
    ]:
        response = getattr(client, method)(path, json=body, headers=_auth(autun_admin))
        assert response.status_code == 403, path
        assert "Figeac" not in response.get_data(as_text=True)
    with territory_scope(figeac.territory):
        assert db.session.scalar(select(ServiceModule.stage).filter_by(service_key="concierge")) == "perennial"
    assert _requests_count() == 0


def test_employee_creates_lists_and_cancels_a_request(client, figeac, catalogue, order_form, token_for):
    secret = token_for(figeac.employee, figeac.territory)
    created = client.post("/api/v1/territories/figeac/requests/", json=_order(catalogue, order_form),
                          headers=_auth(secret))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "submitted" and body["allowed_transitions"] == ["cancel"]
    assert body["history"][0]["to_status"] == "submitted"

    listed = client.get("/api/v1/territories/figeac/requests/?status=submitted", headers=_auth(secret))
    assert [r["id"] for r in listed.get_json()] == [body["id"]]
    assert '"total": 1' in listed.headers["X-Pagination"]

    illegal = client.post(f"/api/v1/territories/figeac/requests/{body['id']}/transitions",
                          json={"transition": "accept"}, headers=_auth(secret))
    assert illegal.status_code == 409 and illegal.get_json()["message"]
    cancelled = client.post(f"/api/v1/territories/figeac/requests/{body['id']}/transitions",
                            json={"transition": "cancel", "comment": "plus besoin"}, headers=_auth(secret))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def test_bad_request_payload_gets_field_errors_and_stores_nothing(client, figeac, catalogue, order_form, token_for):
    secret = token_for(figeac.employee, figeac.territory)
    order = _order(catalogue, order_form)
    order["payload"]["dropoff_date"] = "2020-01-01"
    order["payload"]["slot_id"] = 9999
    response = client.post("/api/v1/territories/figeac/requests/", json=order, headers=_auth(secret))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["payload"]) == {"dropoff_date", "slot_id"}
    missing = client.post("/api/v1/territories/figeac/requests/", json={"payload": {}}, headers=_auth(secret))
    assert missing.status_code == 422 and "service_key" in missing.get_json()["errors"]
    unknown = client.post("/api/v1/territories/figeac/requests/", json={"service_key": "teleport", "payload": {}},
                          headers=_auth(secret))
    assert unknown.status_code == 422 and "service_key" in unknown.get_json()["errors"]
    assert _requests_count() == 0


def test_pagination_and_visibility(client, figeac, catalogue, order_form, token_for):
    employee, colleague, operator = (token_for(u, figeac.territory) for u in
                                     (figeac.employee, figeac.colleague, figeac.operator))
    for _ in range(3):
        client.post("/api/v1/territories/figeac/requests/", json=_order(catalogue, order_form), headers=_auth(employee))
    assert client.get("/api/v1/territories/figeac/requests/", headers=_auth(colleague)).get_json() == []
    page = client.get("/api/v1/territories/figeac/requests/?page=2&page_size=2", headers=_auth(operator))
    assert len(page.get_json()) == 1
    first = client.get("/api/v1/territories/figeac/requests/?page=1&page_size=2", headers=_auth(operator)).get_json()
    assert first[0]["allowed_transitions"] == ["accept", "reject"]
    assert client.get(f"/api/v1/territories/figeac/requests/{first[0]['id']}", headers=_auth(colleague)).status_code == 403


def test_modules_api_is_for_admins_and_validates_config(client, figeac, token_for):
    employee = token_for(figeac.employee, figeac.territory)
    admin = token_for(figeac.admin, figeac.territory)
    assert client.get("/api/v1/territories/figeac/modules/", headers=_auth(employee)).status_code == 403
    modules = client.get("/api/v1/territories/figeac/modules/", headers=_auth(admin)).get_json()
    assert modules[0]["service_key"] == "concierge" and modules[0]["stage"] == "perennial"

    bad = client.patch("/api/v1/territories/figeac/modules/concierge", headers=_auth(admin),
                       json={"stage": "pilot", "config": {"max_items_per_order": 0}})
    assert bad.status_code == 422 and "max_items_per_order" in bad.get_json()["errors"]["config"]
    with territory_scope(figeac.territory):
        module = db.session.scalar(select(ServiceModule).filter_by(service_key="concierge"))
        assert (module.stage, module.config.get("max_items_per_order")) == ("perennial", 10)

    good = client.patch("/api/v1/territories/figeac/modules/concierge", headers=_auth(admin),
                        json={"stage": "pilot", "pilot_organization_ids": [figeac.aero.id],
                              "config": {"max_items_per_order": 4}})
    assert good.status_code == 200
    assert good.get_json()["stage"] == "pilot" and good.get_json()["config"]["max_items_per_order"] == 4
    unknown = client.post("/api/v1/territories/figeac/modules/", json={"service_key": "teleport"}, headers=_auth(admin))
    assert unknown.status_code == 422 and "service_key" in unknown.get_json()["errors"]


def test_indicator_series(client, figeac, catalogue, order_form, token_for):
    admin = token_for(figeac.admin, figeac.territory)
    employee = token_for(figeac.employee, figeac.territory)
    client.post("/api/v1/territories/figeac/requests/", json=_order(catalogue, order_form), headers=_auth(employee))
    keys = [i["key"] for i in client.get("/api/v1/territories/figeac/indicators/", headers=_auth(admin)).get_json()]
    assert "concierge.orders" in keys

    today = current_month()
    series = client.get(f"/api/v1/territories/figeac/indicators/concierge.orders/series?start={today}&end={today}",
                        headers=_auth(admin)).get_json()
    assert series["points"] == [{"month": today.replace(day=1).isoformat(), "value": 1.0}]
    backwards = client.get(f"/api/v1/territories/figeac/indicators/concierge.orders/series?start={today}&end=2020-01-01",
                           headers=_auth(admin))
    assert backwards.status_code == 422 and "end" in backwards.get_json()["errors"]
    assert client.get("/api/v1/territories/figeac/indicators/", headers=_auth(employee)).status_code == 403


def test_tokens_page_creates_shows_once_and_revokes(make_client, figeac):
    person = make_client()
    person.login(figeac.employee)
    page = person.post_form("/t/figeac/settings/tokens/", {"name": "Export mensuel"}).get_data(as_text=True)
    import re

    secret = re.search(r'value="(cps_[^"]+)"', page).group(1)
    assert secret not in person.get("/t/figeac/settings/tokens/").get_data(as_text=True)
    assert person.get("/api/v1/territories/figeac/requests/", headers=_auth(secret)).status_code == 200
    invalid = person.post_form("/t/figeac/settings/tokens/", {"name": ""})
    assert invalid.status_code == 422 and 'id="name-error"' in invalid.get_data(as_text=True)


def test_sign_in_is_rate_limited(make_client, figeac):
    attacker = make_client()
    statuses = [attacker.post_form("/login", {"email": figeac.admin.email, "password": "guess"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_cli_token_create(app, figeac, autun, client):
    from flask.cli import ScriptInfo

    from coopserv.cli import main

    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app)
    result = runner.invoke(main, ["token", "create", figeac.employee.email, "figeac", "--name", "cron"], obj=info)
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert client.get("/api/v1/territories/figeac/requests/", headers=_auth(secret)).status_code == 200
    refused = runner.invoke(main, ["token", "create", figeac.employee.email, "autun-morvan", "--name", "x"], obj=info)
    assert refused.exit_code != 0 and "not a member" in refused.output


def test_times_in_the_api_carry_the_territory_offset(client, figeac, catalogue, order_form, token_for):
    """Stored UTC, given as ISO 8601 on the territory's clock with its offset (never a naive time)."""
    from datetime import datetime, timedelta, timezone

    with territory_scope(figeac.territory):
        figeac.territory.timezone = "America/Cayenne"  # UTC-3 all year
        db.session.commit()
    secret = token_for(figeac.employee, figeac.territory)
    body = client.post("/api/v1/territories/figeac/requests/", json=_order(catalogue, order_form),
                       headers=_auth(secret)).get_json()
    with territory_scope(figeac.territory):
        stored = db.session.get(ServiceRequest, body["id"]).created_at
    for text in (body["created_at"], body["updated_at"], body["history"][0]["at"]):
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() == timedelta(hours=-3), text
    assert datetime.fromisoformat(body["created_at"]).astimezone(timezone.utc).replace(tzinfo=None) == stored


def test_a_page_beyond_any_offset_the_database_takes_is_empty(client, figeac, token_for):
    secret = token_for(figeac.employee, figeac.territory)
    far = client.get("/api/v1/territories/figeac/requests/?page=922337203685477582", headers=_auth(secret))
    assert far.status_code == 200 and far.get_json() == []
