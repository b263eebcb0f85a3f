"""The headline journey in a real browser: order at the concierge, operator marks it ready."""
import os

import pytest
from playwright.sync_api import expect

from coopserv_plugins.concierge.tests.conftest import next_weekday

pytestmark = pytest.mark.browser

SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "screenshots")


def _sign_in(page, base, user):
    page.goto(f"{base}/login?next=/t/figeac/")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/t/figeac/")


def _sign_out(page):
    page.locator("header form[action$='/logout'] button").click()


def test_employee_orders_and_sees_it_ready(browser_page, live_server, figeac, catalogue):
    page, base = browser_page, live_server
    os.makedirs(SCREENSHOTS, exist_ok=True)

    _sign_in(page, base, figeac.employee)
    page.locator("a[href='/t/figeac/services/concierge']").click()
    page.fill(f"[id='items.{catalogue.shirt.id}']", "2")
    page.fill(f"[id='items.{catalogue.suit.id}']", "1")
    page.locator("#slot_id").select_option(str(catalogue.tuesday.id))
    # htmx refreshes the price estimate when the quantities change.
    expect(page.locator("#estimate")).to_contain_text("21,90")
    # Only the chosen slot's next opening days are offered, as a calendar.
    calendar = page.locator(f"[data-shown-for='{catalogue.tuesday.id}']")
    expect(calendar).to_be_visible()
    page.locator(f"input[name=dropoff_date][value='{next_weekday(1).isoformat()}'] + label").click()
    page.screenshot(path=os.path.join(SCREENSHOTS, "concierge-order.png"), full_page=True)
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/requests/*")
    expect(page.locator("#request-detail .status")).to_have_text("Envoyée")
    request_url = page.url
    _sign_out(page)

    _sign_in(page, base, figeac.operator)
    page.goto(f"{base}/t/figeac/operator/concierge")
    row = page.locator("tbody tr").first
    for action, status in (("Accepter", "Acceptée"), ("Commencer", "En cours"), ("Marquer prête", "Prête")):
        row.get_by_role("button", name=action).click()
        expect(row.locator("td.status")).to_have_text(status)
    page.screenshot(path=os.path.join(SCREENSHOTS, "operator-queue.png"), full_page=True)
    _sign_out(page)

    _sign_in(page, base, figeac.employee)
    page.goto(request_url)
    expect(page.locator("#request-detail .status")).to_have_text("Prête")
    page.screenshot(path=os.path.join(SCREENSHOTS, "employee-ready.png"), full_page=True)
