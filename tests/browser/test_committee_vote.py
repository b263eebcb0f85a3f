"""A committee vote in a real browser: members vote through htmx, the admin closes and the result shows."""
import json
import os
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coopserv.extensions import db
from coopserv.governance import services
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow

pytestmark = pytest.mark.browser

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")


def _serious_violations(page):
    """Serious or critical WCAG 2 A/AA problems axe-core (vendored) finds on the page."""
    # Evaluated by the test harness, not added as an inline <script> (the pages' CSP refuses those).
    page.evaluate(open(AXE, encoding="utf-8").read())
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in json.loads(result)["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.fixture
def committee(make_territory, make_organization, make_user):
    territory = make_territory("grand-quercy", "Grand Quercy")
    authority = make_organization(territory, "Communauté de communes", kind="local_authority")
    cannery = make_organization(territory, "Conserverie du Quercy", kind="company")
    mayor = make_user(territory, "governance_member", authority, name="Martine Delpech")
    leader = make_user(territory, "governance_member", cannery, name="Hélène Cassagnes")
    admin = make_user(territory, "territory_admin", name="Admin Quercy")
    with territory_scope(territory):
        meeting = services.create_meeting({"title": "Comité de pilotage", "starts_at": utcnow() + timedelta(days=3),
                                           "place": "Gourdon"})
        item = services.add_agenda_item(meeting, {"title": "Étude micro-crèche", "proposal": "Lancer l'étude",
                                                  "with_vote": True, "quorum_percent": 50})
    return territory, meeting, item, mayor, leader, admin


def _sign_in(page, base, user, next_path):
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}{next_path}")


def _sign_out(page):
    page.locator("header form[action$='/logout'] button").click()


def test_members_vote_and_the_admin_closes_the_vote(browser_page, live_server, committee):
    page, base = browser_page, live_server
    territory, meeting, item, mayor, leader, admin = committee
    path = f"/t/{territory.slug}/governance/meetings/{meeting.id}"
    box = page.locator(f"#vote-{item.id}")

    _sign_in(page, base, mayor, path)
    box.locator("form:has(input[name=choice][value=against]) button").click()
    expect(box.locator("td[data-choice=against]")).to_have_text("1")
    # Changing one's mind replaces the vote instead of adding one.
    box.locator("form:has(input[name=choice][value=for]) button").click()
    expect(box.locator("td[data-choice=for]")).to_have_text("1")
    expect(box.locator("td[data-choice=against]")).to_have_text("0")
    expect(box.locator("form:has(input[name=choice][value=for]) button")).to_have_attribute("aria-pressed", "true")
    _sign_out(page)

    _sign_in(page, base, leader, path)
    box.locator("form:has(input[name=choice][value=for]) button").click()
    expect(box.locator("td[data-choice=for]")).to_have_text("2")
    _sign_out(page)

    _sign_in(page, base, admin, path)
    assert _serious_violations(page) == []
    expect(box.locator("form:has(input[name=choice])")).to_have_count(0)  # admins do not vote
    box.locator(f"form[action$='/items/{item.id}/close'] button").click()
    page.locator("dialog.confirm button[value=yes]").click()  # the portal's own confirmation dialog
    expect(page.locator(f"#result-{item.id}")).to_be_visible()
    expect(box.locator(f"form[action$='/items/{item.id}/close']")).to_have_count(0)
    db.session.expire_all()  # the live server committed in its own session
    with territory_scope(territory):
        stored = services.get_item(item.id)
        assert stored.result == "adopted" and stored.tally["totals"]["for"] == 2
    for other in ("", "/charter", "/risks", "/events"):
        page.goto(f"{base}/t/{territory.slug}/governance{other}")
        assert _serious_violations(page) == [], other
