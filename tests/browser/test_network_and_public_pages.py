"""Public, network, import and invitation pages: no serious accessibility violation, and usable 360 px wide."""
import io
import json
import os
from datetime import timedelta

import pytest

from coopserv.governance import events as governance_events
from coopserv.public import services as public
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow
from tests.network.conftest import decided_project, login, lot, network  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "screenshots")


def _violations(page):
    # Evaluated through the DevTools protocol: an injected <script> would itself break the page's CSP.
    with open(AXE, encoding="utf-8") as handle:
        page.evaluate(handle.read() + "\n;undefined")
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))")
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]


def _sign_in(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def world(network, login):
    figeac = network.figeac
    with territory_scope(figeac.territory):
        evening = governance_events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                                                  "starts_at": utcnow() + timedelta(days=10),
                                                  "place": "Espace Mitterrand"}, figeac.admin)
        public.save_settings({"services": True, "needs": True, "projects": True, "events": True,
                              "introduction": "Figeac co-construit ses services."}, figeac.admin)
        public.set_publication({"event_id": evening.id, "published": True, "registration_open": True,
                                "capacity": 50}, figeac.admin)
    project = decided_project(figeac.territory, figeac.module, "Conciergerie inter-entreprises de la ZA de l'Aiguille")
    admin = login(figeac.admin)
    admin.post_form(f"/t/figeac/practices/publish/{project.id}", {
        "network_id": str(network.network.id), "context": "Une zone d'activité de 2 000 salariés.",
        "need": "Le pressing", "service": "Conciergerie", "lessons": "Deux pilotes motivés dès le départ."})
    coordinator = login(network.coordinator)
    coordinator.post_form("/n/adefpat/events/new", {"kind": "seminar", "title": "Séminaire de Figeac",
                                                   "starts_on": network.seminar_day.isoformat(), "place": "Figeac"})
    batch = admin.post("/t/figeac/admin/imports/", data={
        "csrf_token": admin.csrf_token(), "kind": "members", "file": (io.BytesIO(
            "E-mail;Nom;Organisation\nnina@example.org;Nina;Figeac Aéro\nbad;X;Nulle part\n".encode()), "m.csv")},
        content_type="multipart/form-data").headers["Location"].rsplit("/", 1)[1]
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.network.models import NetworkEvent, PracticeSheet

    # Ids are read back: sequences are not reset between tests on PostgreSQL.
    sheet = db.session.scalar(select(PracticeSheet.id).order_by(PracticeSheet.id.desc()).limit(1))
    seminar = db.session.scalar(select(NetworkEvent.id).order_by(NetworkEvent.id.desc()).limit(1))
    return {"evening": evening.id, "project": project.id, "batch": batch, "sheet": sheet, "seminar": seminar}


def test_pages_have_no_serious_violations_and_fit_360_pixels(browser_page, live_server, network, world, make_user):
    page, base = browser_page, live_server
    os.makedirs(SCREENSHOTS, exist_ok=True)
    operator = make_user(name="Exploitante", email="ops@coopserv.example", platform_admin=True)
    groups = [
        (operator.email, ["/networks/new"]),
        (None, ["/t/figeac/public/", "/t/figeac/public/services", "/t/figeac/public/needs",
                "/t/figeac/public/projects", "/t/figeac/public/events", f"/t/figeac/public/events/{world['evening']}",
                f"/t/figeac/public/events/{world['evening']}/register"]),
        (network.coordinator.email, ["/n/adefpat/", "/n/adefpat/indicators", "/n/adefpat/projects",
                                     "/n/adefpat/decisions", "/n/adefpat/practices/", f"/n/adefpat/practices/{world['sheet']}",
                                     "/n/adefpat/events/", f"/n/adefpat/events/{world['seminar']}", "/n/adefpat/events/new",
                                     "/n/adefpat/tokens", "/n/adefpat/admin"]),
        (network.figeac.admin.email, ["/t/figeac/admin/imports/", f"/t/figeac/admin/imports/{world['batch']}",
                                      "/t/figeac/admin/public/", "/t/figeac/practices/",
                                      f"/t/figeac/practices/publish/{world['project']}"]),
        (network.autun.admin.email, [f"/t/autun-morvan/practices/{world['sheet']}", f"/n/adefpat/events/{world['seminar']}"]),
    ]
    problems, too_wide = {}, {}
    for who, paths in groups:
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            if who is not None:
                _sign_in(page, base, who)
            else:
                page.context.clear_cookies()
            for path in paths:
                response = page.goto(base + path)
                assert response.status == 200, path
                if width == 360:
                    overflow = page.evaluate("document.documentElement.scrollWidth")
                    if overflow > 362:
                        too_wide[path] = overflow
                else:
                    found = _violations(page)
                    if found:
                        problems[path] = found
    page.set_viewport_size({"width": 360, "height": 800})
    page.context.clear_cookies()
    page.goto(f"{base}/t/figeac/public/events/{world['evening']}/register")
    page.screenshot(path=os.path.join(SCREENSHOTS, "public-registration-360.png"), full_page=True)
    assert problems == {}
    assert too_wide == {}


def test_a_visitor_registers_from_a_phone(browser_page, live_server, network, world):
    page, base = browser_page, live_server
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/t/figeac/public/events/{world['evening']}/register")
    page.get_by_role("button", name="S’inscrire").click()
    assert page.locator("#name-error").is_visible() and page.locator("#email-error").is_visible()
    page.fill("#name", "Alex Visiteur")
    page.fill("#email", "alex@example.org")
    page.fill("#company", "Boulangerie du Pont")
    page.get_by_role("button", name="S’inscrire").click()
    page.wait_for_url("**/registered")
    assert "Vous êtes inscrit" in page.locator("h1").inner_text()
