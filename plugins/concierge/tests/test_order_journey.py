"""The headline journey over HTTP: order, operator moves it to ready, the employee sees it."""
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, StatusChange, db
from coopserv.testing import Notification
from coopserv_plugins.concierge.models import Order


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def test_employee_orders_and_operator_moves_it_to_ready(make_client, figeac, catalogue, order_form):
    employee = make_client()
    employee.login(figeac.employee)
    response = employee.post_form("/t/figeac/services/concierge/requests", order_form)
    assert response.status_code == 302
    request_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    order = db.session.scalar(select(Order).filter_by(request_id=request_id)
                              .execution_options(**{ALL_TERRITORIES: True}))
    assert order.total_cents == 3 * 350
    assert [(line.label, line.quantity) for line in order.lines] == [("Chemise", 3)]

    operator = make_client()
    operator.login(figeac.operator)
    queue = operator.get("/t/figeac/operator/concierge").get_data(as_text=True)
    reference = db.session.scalar(select(ServiceRequest.number).filter_by(id=request_id)
                                  .execution_options(**{ALL_TERRITORIES: True}))
    assert reference == 1 and ">#1<" in queue
    for transition in ("accept", "start", "mark_ready"):
        moved = operator.post_form(f"/t/figeac/requests/{request_id}/transition", {"transition": transition})
        assert moved.status_code == 302, moved.get_data(as_text=True)

    page = employee.get(f"/t/figeac/requests/{request_id}").get_data(as_text=True)
    assert "Prête" in page or "Ready" in page
    assert "11 h 30–14 h 00" in page  # the pickup slot, as a French reader writes the hour
    history = db.session.scalars(select(StatusChange.to_status).filter_by(request_id=request_id).order_by(StatusChange.id)
                                 .execution_options(**{ALL_TERRITORIES: True})).all()
    assert history == ["submitted", "accepted", "in_progress", "ready"]
    assert _count(Notification) == 4  # received + three changes, all for the employee


def test_invalid_order_is_refused_field_by_field_and_stores_nothing(make_client, figeac, catalogue, order_form):
    employee = make_client()
    employee.login(figeac.employee)
    bad = dict(order_form, dropoff_date="2020-01-07", slot_id="999")
    bad.pop(f"items.{catalogue.shirt.id}")
    response = employee.post_form("/t/figeac/services/concierge/requests", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="slot_id-error"' in page and 'id="dropoff_date-error"' in page and 'id="items-error"' in page
    assert _count(ServiceRequest) == 0 and _count(Order) == 0

    api = employee.post_json("/t/figeac/services/concierge/requests",
                             {"items": [{"item_id": catalogue.shirt.id, "quantity": 0}], "slot_id": catalogue.tuesday.id,
                              "dropoff_date": "not a date"})
    assert api.status_code == 422
    errors = api.get_json()["errors"]
    assert set(errors) == {"items", "dropoff_date"}
    assert _count(ServiceRequest) == 0


def test_illegal_transition_is_refused_with_a_message(make_client, figeac, catalogue, order_form, scoped):
    employee = make_client()
    employee.login(figeac.employee)
    request_id = int(employee.post_form("/t/figeac/services/concierge/requests", order_form)
                     .headers["Location"].rsplit("/", 1)[1])
    operator = make_client()
    operator.login(figeac.operator)
    response = operator.post_json(f"/t/figeac/requests/{request_id}/transition", {"transition": "deliver"})
    assert response.status_code == 409
    assert response.get_json()["message"]
    with scoped(figeac.territory):
        assert db.session.get(ServiceRequest, request_id).status == "submitted"
    # The employee may cancel before acceptance, but not accept.
    assert employee.post_json(f"/t/figeac/requests/{request_id}/transition", {"transition": "accept"}).status_code == 409
    assert employee.post_json(f"/t/figeac/requests/{request_id}/transition", {"transition": "cancel"}).status_code == 200


def test_the_order_form_and_the_request_summary_say_dates_as_a_reader_does(make_client, figeac, catalogue,
                                                                            order_form):
    import html
    import re
    from datetime import date

    from coopserv.plugin_api import format_day

    employee = make_client()
    employee.login(figeac.employee)
    form = html.unescape(employee.get("/t/figeac/services/concierge").get_data(as_text=True))
    # The slot's next dates are a calendar: weekday, day and month in words; ISO only in the radio's value.
    openings = form.split('class="calendar"')[1].split("</fieldset>")[0]
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', openings)
    assert re.search(r'<span class="day">\d{1,2}</span><span class="month">[^<\d]+</span>', openings)
    assert not re.search(r">\d{4}-\d{2}-\d{2}<", openings)
    assert employee.post_form("/t/figeac/services/concierge/requests", order_form).status_code == 302
    mine = html.unescape(employee.get("/t/figeac/requests").get_data(as_text=True))
    with employee.application.test_request_context():
        said = format_day(date.fromisoformat(order_form["dropoff_date"]), figeac.territory, "fr")
    assert said in mine
