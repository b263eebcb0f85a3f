"""The order form guides: providers most used first, each slot offering only its own next dates."""
import re
from datetime import date

from coopserv_plugins.concierge.models import CatalogItem, Provider

from coopserv.plugin_api import db, local_today, territory_scope, utcnow


def _form(client):
    return client.get("/t/figeac/services/concierge").get_data(as_text=True)


def test_providers_most_ordered_from_come_first(make_client, figeac, catalogue, order_form):
    with territory_scope(figeac.territory):
        bakery = Provider(name="Boulangerie Aalto")  # first by name
        db.session.add_all([bakery, CatalogItem(provider=bakery, name="Pain", price_cents=120)])
        db.session.commit()
    employee = make_client()
    employee.login(figeac.employee)
    page = _form(employee)
    assert page.index("Boulangerie Aalto") < page.index("Pressing du Célé")  # nobody ordered yet: by name
    assert employee.post_form("/t/figeac/services/concierge/requests", order_form).status_code == 302
    page = _form(employee)
    assert page.index("Pressing du Célé") < page.index("Boulangerie Aalto")


def test_each_slot_offers_only_its_own_weekdays(make_client, figeac, catalogue):
    employee = make_client()
    employee.login(figeac.employee)
    page = _form(employee)
    group = re.search(rf'data-shown-for="{catalogue.tuesday.id}".*?</fieldset>', page, re.S).group(0)
    days = [date.fromisoformat(value) for value in re.findall(r'name="dropoff_date" value="([\d-]+)"', group)]
    assert 4 <= len(days) <= 5 and all(day.weekday() == 1 for day in days)  # Tuesdays of the next 30 days
    assert days == sorted(days) and days[0] > local_today()
    assert 'type="date"' not in page  # no free typing of a date the slot does not serve


def test_calendar_stops_at_the_booking_window(make_client, figeac, catalogue):
    from coopserv.plugin_api import configure_module

    with territory_scope(figeac.territory):
        configure_module(figeac.module, {"max_days_ahead": 9})
    employee = make_client()
    employee.login(figeac.employee)
    days = [date.fromisoformat(v) for v in re.findall(r'name="dropoff_date" value="([\d-]+)"', _form(employee))]
    assert 1 <= len(days) <= 2 and all((day - local_today()).days <= 9 for day in days)


def test_usage_reads_only_the_latest_orders(make_client, figeac, catalogue, order_form):
    """A busy territory's form sums a bounded slice: the latest orders, not every order of 90 days."""
    from datetime import timedelta

    from coopserv_plugins.concierge.services import provider_usage

    employee = make_client()
    employee.login(figeac.employee)
    for _ in range(2):
        assert employee.post_form("/t/figeac/services/concierge/requests", order_form).status_code == 302
    with territory_scope(figeac.territory):
        since = utcnow() - timedelta(days=90)
        every, latest = provider_usage(since), provider_usage(since, orders=1)
    assert len(every) == 1 and list(latest) == list(every)
    assert every[next(iter(every))] == 2 * latest[next(iter(latest))]
