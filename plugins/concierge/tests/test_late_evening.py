"""Late in the evening UTC, the territory's day has already turned: drop-off dates follow the territory's day.

At 23:30 UTC on Monday 7 January 2030 it is 00:30 on Tuesday 8 January in Figeac. Orders are taken
from the next day on, so that Tuesday is too late: the first Tuesday offered is the 15th. A form that
counted days from UTC's date would offer (and accept) the 8th, as the tests and demos once did.
"""
import re
from datetime import date, datetime

from coopserv.plugin_api import local_today

MONDAY_LATE_UTC = datetime(2030, 1, 7, 23, 30)


def test_the_form_offers_and_takes_days_from_the_territorys_tomorrow(frozen_clock, make_client, figeac, catalogue,
                                                                      order_form):
    frozen_clock.set(MONDAY_LATE_UTC)
    assert local_today(figeac.territory) == date(2030, 1, 8)
    employee = make_client()
    employee.login(figeac.employee)
    page = employee.get("/t/figeac/services/concierge").get_data(as_text=True)
    group = re.search(rf'data-shown-for="{catalogue.tuesday.id}".*?</fieldset>', page, re.S).group(0)
    offered = [date.fromisoformat(value) for value in re.findall(r'name="dropoff_date" value="([\d-]+)"', group)]
    assert offered[0] == date(2030, 1, 15)

    too_soon = employee.post_form("/t/figeac/services/concierge/requests", dict(order_form, dropoff_date="2030-01-08"))
    assert too_soon.status_code == 422 and 'id="dropoff_date-error"' in too_soon.get_data(as_text=True)
    taken = employee.post_form("/t/figeac/services/concierge/requests", dict(order_form, dropoff_date="2030-01-15"))
    assert taken.status_code == 302
