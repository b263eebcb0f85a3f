"""Accessibility: axe-core (vendored) finds no serious WCAG 2 A/AA violation on the main pages."""
import json
import os

import pytest

pytestmark = pytest.mark.browser

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")


def _violations(page):
    # Evaluated by the test harness, not added as an inline <script> (the pages' CSP refuses those).
    page.evaluate(open(AXE, encoding="utf-8").read())
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))"
    )
    violations = json.loads(result)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_main_pages_have_no_serious_violations(browser_page, live_server, figeac, catalogue, order_form, make_client):
    employee = make_client()
    employee.login(figeac.employee)
    request_id = employee.post_form("/t/figeac/services/concierge/requests", order_form).headers["Location"].rsplit("/", 1)[1]
    page, base = browser_page, live_server
    found = {}
    anonymous = ["/", "/t/figeac/", "/login", "/t/figeac/signup", "/password/forgot", "/t/figeac/nowhere"]
    as_employee = ["/t/figeac/", "/t/figeac/services/concierge", "/t/figeac/requests",
                   f"/t/figeac/requests/{request_id}", "/t/figeac/notifications"]
    as_operator = ["/t/figeac/operator/concierge", "/t/figeac/concierge/manage", "/t/figeac/concierge/round"]
    as_admin = ["/t/figeac/admin/", "/t/figeac/admin/modules/", "/t/figeac/admin/modules/concierge",
                "/t/figeac/admin/organizations", "/t/figeac/admin/members", "/t/figeac/admin/audit",
                "/t/figeac/admin/plugins"]
    for who, paths in ((None, anonymous), (figeac.employee, as_employee), (figeac.operator, as_operator),
                       (figeac.admin, as_admin)):
        if who is not None:
            page.context.clear_cookies()
            _sign_in(page, base, who.email)
        for path in paths:
            page.goto(base + path)
            problems = _violations(page)
            if problems:
                found[path] = problems
    assert found == {}
