"""Hostile input gets a clear 4xx, never a 500: huge numbers, control characters, odd dates, big or
deeply nested bodies. Each class is handled once for the whole app; these tests try it on pages of
several modules, in HTML and JSON."""
import json
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError, fields

from coopserv.schemas import Schema
from tests.helpers import order_payload, place_order, text_of

HUGE_IDS = ["2147483648", "99999999999999999999", "9" * 5000]


@pytest.fixture
def admin_client(figeac, make_client):
    client = make_client()
    client.login(figeac.admin)
    return client


@pytest.fixture
def employee_client(figeac, make_client):
    client = make_client()
    client.login(figeac.employee)
    return client


# -- integers beyond the database's range ------------------------------------------------------

@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_the_integer_range_in_urls_are_404(admin_client, number):
    for url in (f"/t/figeac/requests/{number}", f"/t/figeac/admin/organizations/{number}",
                f"/t/figeac/needs/{number}", f"/api/v1/territories/figeac/requests/{number}"):
        assert admin_client.get(url).status_code == 404, url


def test_the_largest_id_of_the_database_is_still_routed(admin_client):
    assert admin_client.get("/t/figeac/requests/2147483647").status_code == 404  # routed, simply not found
    assert admin_client.get("/t/figeac/requests/-1").status_code == 404


@pytest.mark.parametrize("page", ["2147483648", "922337203685477582", "99999999999999999999999", "-5", "abc", "9" * 5000])
def test_huge_or_odd_page_numbers_show_a_page(admin_client, employee_client, page):
    assert admin_client.get(f"/t/figeac/admin/members?page={page}").status_code == 200
    assert admin_client.get(f"/t/figeac/admin/audit?page={page}").status_code == 200
    assert employee_client.get(f"/t/figeac/requests?page={page}").status_code == 200
    assert admin_client.get(f"/t/figeac/operator/concierge?page={page}").status_code == 200


def test_integers_beyond_the_range_in_form_and_json_fields_are_field_errors(employee_client, catalogue, order_form):
    form = dict(order_form, slot_id="2147483648")
    response = employee_client.post_form("/t/figeac/services/concierge/requests", form)
    assert response.status_code == 422
    payload = order_payload(catalogue)
    payload["items"][0]["item_id"] = 2**40
    payload["slot_id"] = 10**30
    response = employee_client.post_json("/t/figeac/services/concierge/requests", payload)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "slot_id" in errors and "items" in errors


def test_an_organization_id_beyond_the_range_is_refused_with_a_message(admin_client, figeac, make_user, scoped):
    from sqlalchemy import select

    from coopserv.accounts.models import Membership
    from coopserv.extensions import db

    pending = make_user(figeac.territory, "employee", status="pending")
    with scoped(figeac.territory):
        membership = db.session.scalar(select(Membership).filter_by(user_id=pending.id))
    response = admin_client.post_form(f"/t/figeac/admin/members/{membership.id}/approve",
                                      {"organization_id": "99999999999"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Choisissez une organisation de ce territoire." in text_of(response)


# -- control characters ------------------------------------------------------------------------

def test_control_characters_in_the_url_are_400(client, figeac):
    assert client.get("/t/fig%00eac/").status_code == 400
    assert client.get("/t/figeac/services/concierge%00").status_code == 400
    assert client.get("/t/figeac/services/con%1Bcierge").status_code == 400


def test_control_characters_in_query_strings_are_field_errors(admin_client):
    response = admin_client.get("/t/figeac/operator/concierge?status=new%00", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["status"]
    assert admin_client.get("/t/figeac/needs/?park=%00").status_code == 422


def test_control_characters_in_a_header_are_400(client, figeac):
    response = client.get("/t/figeac/", headers={"HX-Current-URL": "http://x/\x00"})
    assert response.status_code == 400


def test_control_characters_in_form_fields_are_named_field_errors(client, figeac, employee_client, order_form):
    response = client.post_form("/login", {"email": "camille@aero.example\x00", "password": "x"})
    assert response.status_code == 422
    assert "email" in text_of(response)
    form = dict(order_form, notes="Amidon\x00léger")
    response = employee_client.post_form("/t/figeac/services/concierge/requests", form,
                                         headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"notes"}


def test_tabs_and_new_lines_in_text_are_kept(employee_client, order_form):
    form = dict(order_form, notes="Chemises :\r\n\t- amidon léger")
    assert employee_client.post_form("/t/figeac/services/concierge/requests", form).status_code == 302


def test_control_characters_in_json_fields_and_keys_are_field_errors(employee_client, catalogue):
    payload = order_payload(catalogue, notes="bad\x07bell")
    response = employee_client.post_json("/t/figeac/services/concierge/requests", payload)
    assert response.status_code == 422 and "notes" in response.get_json()["errors"]
    response = employee_client.post_json("/t/figeac/services/concierge/requests", {"no\x00tes": "x"})
    assert response.status_code == 422


def test_nul_in_a_service_key_and_a_token_name_is_refused(admin_client, employee_client):
    assert admin_client.post_form("/t/figeac/admin/modules/con\x00cierge/enable").status_code == 400
    response = employee_client.post_form("/t/figeac/settings/tokens/", {"name": "cron\x00"})
    assert response.status_code == 422


# -- dates and times ---------------------------------------------------------------------------

@pytest.mark.parametrize("starts_at", [
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1899-12-31T23:00:00",
    "2201-01-01T00:00:00", "2030-01-01T10:00:00+15:00", "2030-01-01T10:00:00-14:30",
])
def test_far_dates_and_impossible_offsets_are_field_errors(admin_client, starts_at):
    admin = admin_client
    response = admin.post_json("/t/figeac/governance/meetings/new",
                               {"title": "Comité de pilotage", "starts_at": starts_at})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == ["starts_at"]
    html = admin.post_form("/t/figeac/governance/meetings/new",
                           {"title": "Comité de pilotage", "starts_at": starts_at})
    assert html.status_code == 422


@pytest.mark.parametrize("starts_at", ["2030-01-01T10:00:00+14:00", "2030-01-01T10:00:00-14:00",
                                       "2030-01-01T10:00:00Z", "2030-01-01T10:00:00"])
def test_offsets_up_to_14_hours_and_naive_times_are_accepted(admin_client, figeac, starts_at):
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.governance.models import Meeting
    from coopserv.tenancy import territory_scope

    response = admin_client.post_json("/t/figeac/governance/meetings/new",
                                      {"title": "Comité de pilotage", "starts_at": starts_at})
    assert response.status_code == 201, response.get_data(as_text=True)
    with territory_scope(figeac.territory):
        stored = db.session.scalar(select(Meeting.starts_at).filter_by(id=response.get_json()["id"]))
    assert stored.tzinfo is None
    expected = {"+14:00": "2029-12-31 20:00", "-14:00": "2030-01-02 00:00"}
    for suffix, utc in expected.items():
        if starts_at.endswith(suffix):
            assert stored.strftime("%Y-%m-%d %H:%M") == utc


@pytest.mark.parametrize("opens_on", ["0001-01-01", "9999-12-31"])
def test_far_dates_in_date_fields_are_field_errors(admin_client, opens_on):
    response = admin_client.post_form("/t/figeac/needs/campaigns/new", {
        "title": "Recueil 2030", "opens_on": opens_on, "closes_on": "2030-02-01",
        "q1_text": "Vos besoins ?", "q1_kind": "text"}, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "opens_on" in response.get_json()["errors"]


def test_a_far_month_in_the_indicators_period_shows_the_page(admin_client):
    for period in ("start=0001-01&end=0001-02", "start=9999-11&end=9999-12", "start=x&end=2020-13"):
        assert admin_client.get(f"/t/figeac/indicators/?{period}").status_code == 200


# -- sizes and shapes --------------------------------------------------------------------------

def test_a_body_over_the_limit_is_413_in_html_and_json(app, client, figeac):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    html = client.post("/login", data={"email": big, "password": "x"})
    assert html.status_code == 413 and "text/html" in html.content_type
    assert "trop volumineuse" in text_of(html)
    api = client.post("/api/v1/territories/figeac/requests/", data=big, content_type="application/json")
    assert api.status_code == 413
    assert api.get_json()["status"] == 413 and api.get_json()["message"]


def test_deeply_nested_json_is_refused_not_crashed(employee_client):
    nested = "[" * 100_000 + "]" * 100_000
    response = employee_client.post("/t/figeac/services/concierge/requests", data=nested,
                                    content_type="application/json",
                                    headers={"X-CSRFToken": employee_client.csrf_token()})
    assert response.status_code == 400
    moderately = json.dumps({"notes": json.loads("[" * 50 + "]" * 50)})
    response = employee_client.post("/t/figeac/services/concierge/requests", data=moderately,
                                    content_type="application/json",
                                    headers={"X-CSRFToken": employee_client.csrf_token()})
    assert response.status_code == 400


def test_a_json_body_that_is_not_an_object_is_400(employee_client, figeac, catalogue):
    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    for body in ([1, 2], "text", 12):
        response = employee_client.post_json(f"/t/figeac/requests/{request.id}/transition", body)
        assert response.status_code == 400, body


# -- the shared schema rules, directly ---------------------------------------------------------

class _Everything(Schema):
    number = fields.Integer()
    numbers = fields.List(fields.Integer())
    text = fields.String()
    by_name = fields.Dict(keys=fields.String(), values=fields.String())
    day = fields.Date()
    moment = fields.DateTime()


@pytest.mark.parametrize(("data", "field"), [
    ({"number": 2**31}, "number"), ({"number": -(2**31) - 1}, "number"), ({"numbers": [1, 2**63]}, "numbers"),
    ({"text": "a\x00b"}, "text"), ({"text": "\x1b[31m"}, "text"), ({"by_name": {"a": "b\x00"}}, "by_name"),
    ({"day": "1000-01-01"}, "day"), ({"moment": "2020-01-01T00:00:00+14:01"}, "moment"),
])
def test_every_schema_refuses_out_of_range_numbers_control_characters_and_far_dates(app, data, field):
    with app.test_request_context():
        with pytest.raises(ValidationError) as raised:
            _Everything().load(data)
    assert list(raised.value.messages) == [field]


def test_lazy_messages_from_validators_stay_whole_sentences(app):
    from flask_babel import lazy_gettext

    def must_be_a_list(value):
        if not isinstance(value, list):
            raise ValidationError(lazy_gettext("Send the events as a JSON list."))

    class Batch(Schema):
        events = fields.Raw(validate=must_be_a_list)

    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationError) as raised:
            Batch().load({"events": "abc"})
    assert raised.value.messages == {"events": ["Envoyez les événements sous forme de liste JSON."]} or \
        raised.value.messages == {"events": ["Send the events as a JSON list."]}


def test_datetimes_go_out_with_their_utc_offset(app):
    from datetime import datetime

    with app.test_request_context():
        assert _Everything().dump({"moment": datetime(2030, 1, 1, 8)}) == {"moment": "2030-01-01T08:00:00+00:00"}
        assert _Everything().dump({"day": date(2030, 1, 1) + timedelta(days=1)}) == {"day": "2030-01-02"}
