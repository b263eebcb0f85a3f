"""Every page each demo role reaches, at 360 and 1,280 px: no sideways scroll, console error or serious axe issue."""
import os
from datetime import date

import pytest

from tests.browser import crawl as crawler

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, monkeypatch):
    """The demo's four territories. The parking simulator replays one hour instead of a morning (same pages,
    a fraction of the seeding time)."""
    from coopserv.demo import seed_demo
    from coopserv_plugins.smart_parking import demo as parking_demo

    simulate = parking_demo.simulate
    monkeypatch.setattr(parking_demo, "simulate", lambda lot, **kw: simulate(lot, **{**kw, "hours": (11, 12)}))
    seed_demo()


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    from coopserv.testing import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("COOPSERV_CHROMIUM", "/usr/bin/chromium"),
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def endpoint_finder(app):
    adapter = app.url_map.bind("localhost")

    def endpoint_of(path):
        from werkzeug.exceptions import HTTPException

        try:
            endpoint, _args = adapter.match(path.split("?", 1)[0], method="GET")
        except HTTPException:
            return None
        return endpoint

    return endpoint_of


def test_every_page_of_every_role_at_phone_and_desktop_width(app, demo, live_server, chromium):
    report = crawler.crawl(chromium, live_server, endpoint_finder(app),
                           screenshot_dir=os.environ.get("COOPSERV_SCREENSHOTS"))
    audit_path = os.environ.get("COOPSERV_A11Y_AUDIT")
    if audit_path:
        import json

        with open(audit_path, "w", encoding="utf-8") as handle:
            json.dump(report.audit(date.today().isoformat()), handle, indent=2, sort_keys=True)
            handle.write("\n")
    visited = set(report.visited)
    # The crawl really went everywhere: each role's main pages and every built-in service's own pages.
    for endpoint in ("site.index", "accounts.login", "portal.home", "requests.service_page", "requests.mine",
                     "requests.detail", "requests.queue", "needs.board", "needs.detail", "governance.committee",
                     "governance.meeting", "indicators.dashboard", "admin.members", "branding.edit",
                     "legal.accessibility_page", "legal.privacy", "concierge.manage", "spouse_welcome.cases",
                     "mobility.home", "iot_training.catalogue", "smart_parking.index", "childminder_house.manage"):
        assert endpoint in visited, endpoint
    assert report.problems == [], "\n".join(report.problems)
