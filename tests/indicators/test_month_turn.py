"""At the turn of a month the territory's date is ahead of UTC's: the pages still name the month a request counts in."""
from datetime import datetime

from coopserv.indicators.services import current_month
from coopserv.testing import api_headers
from coopserv.timeutil import local_today
from tests.helpers import indicator_value, place_order, text_of

#: 23:30 UTC on 31 January is 00:30 on 1 February in Figeac: requests count by their UTC month (January).
LAST_HOUR_OF_JANUARY = datetime(2030, 1, 31, 23, 30)


def test_an_order_placed_after_midnight_on_the_first_shows_in_the_month_the_dashboard_names(
        frozen_clock, make_client, figeac, catalogue):
    frozen_clock.set(LAST_HOUR_OF_JANUARY)
    assert local_today(figeac.territory) == datetime(2030, 2, 1).date() and current_month() == datetime(2030, 1, 1).date()
    place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)

    admin = make_client()
    admin.login(figeac.admin)
    assert indicator_value(text_of(admin.get("/t/figeac/indicators/")), "Commandes à la conciergerie") == "1"
    series = admin.get("/api/v1/territories/figeac/indicators/concierge.orders/series?start=2029-12-01&end=2030-02-01",
                       headers=api_headers(figeac.admin, figeac.territory)).get_json()
    assert series["points"] == [{"month": "2029-12-01", "value": 0.0}, {"month": "2030-01-01", "value": 1.0},
                                {"month": "2030-02-01", "value": 0.0}]

