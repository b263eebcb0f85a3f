"""Crawl the portal as each demo role in Chromium: every page a role reaches by following links.

Each page is loaded once, at 360×740 then at 1,280×900 (the same load, resized), and checked for
sideways scrolling, console errors, serious or critical axe-core violations, a page title of its
own and French elision. Pages are deduplicated by endpoint: a page is checked once, by the first
role (least privileged first) that reaches it, which keeps the crawl bounded whatever the data.

Used by tests/browser/test_crawl.py and by ``python -m tests.browser.capture``, which also writes
the screenshots of docs/screenshots and the accessibility audit the statement reports.
"""
import html
import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Error as PlaywrightError

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")
PHONE, DESKTOP = {"width": 360, "height": 740}, {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "coopserv-demo"

#: (territory, sign-in handle) in the order the crawl signs in: least privileged first, so each page
#: is checked with what the humblest role that reaches it sees. None is the anonymous visitor.
ROLES = [
    None,
    ("figeac", "colleague"),                    # an employee outside the pilots
    ("figeac", "employee"), ("autun-morvan", "employee"),
    ("figeac", "referent"),
    ("grand-quercy", "elue"),                   # a steering-committee member
    ("figeac", "operator-concierge"), ("figeac", "operator-spouse-welcome"), ("figeac", "operator-mobility"),
    ("autun-morvan", "operator-iot-training"), ("autun-morvan", "operator-smart-parking"),
    ("ouest-rhodanien", "operator-childminder-house"),
    ("figeac", "admin"), ("autun-morvan", "admin"), ("ouest-rhodanien", "admin"),
]
#: Paths never followed: downloads, API, sign-out, and pages whose only job is to change state.
SKIP = re.compile(r"^/(static|api)/|\.(csv|json|ics|pdf|png|svg|zip|txt|xml)$|/export$|^/logout|^/language")
#: Endpoints whose title may be the territory's own (the portal's front page, the territory list).
GENERIC_TITLE_OK = {"portal.home", "site.index"}
#: French "de" before a capitalised vowel, unelided: "de Autun" (the wording test checks the catalogs).
UNELIDED = re.compile(r"\b[Dd]e (?=[AEIOUÉÈÊÂÎÔ][a-zéèêàâîôû])")
#: Main pages photographed for docs/screenshots: (file name, territory, handle, path).
SCREENSHOTS = [
    ("portal", "figeac", "employee", "/t/figeac/"),
    ("concierge-order", "figeac", "employee", "/t/figeac/services/concierge"),
    ("my-requests", "figeac", "employee", "/t/figeac/requests"),
    ("needs-board", "figeac", "employee", "/t/figeac/needs/"),
    ("operator-queue", "figeac", "operator-concierge", "/t/figeac/operator/concierge"),
    ("project", "autun-morvan", "admin", "/t/autun-morvan/projects/2"),  # the demo seeds it second, in evaluation
    ("governance", "grand-quercy", "elue", "/t/grand-quercy/governance/"),
    ("indicators", "figeac", "admin", "/t/figeac/indicators/"),
    ("branding", "figeac", "admin", "/t/figeac/admin/branding"),
]


@dataclass
class Report:
    """What the crawl found; ``problems`` must be empty."""

    visited: dict = field(default_factory=dict)        # endpoint -> (role, path)
    problems: list = field(default_factory=list)
    passed_rules: set = field(default_factory=set)
    failed_rules: set = field(default_factory=set)
    impacts: Counter = field(default_factory=Counter)
    axe_version: str = ""

    def audit(self, date):
        """The accessibility audit the statement reports (coopserv/legal/accessibility_audit.json)."""
        return {"date": date, "tool": f"axe-core {self.axe_version}", "viewports": [PHONE["width"], DESKTOP["width"]],
                "pages": sorted(self.visited), "rules": {"passed": len(self.passed_rules - self.failed_rules),
                                                         "failed": len(self.failed_rules)},
                "violations": {impact: self.impacts.get(impact, 0)
                               for impact in ("critical", "serious", "moderate", "minor")}}


def email_of(territory, handle):
    return handle if "@" in handle else f"{handle}@{territory}.demo"


def crawl(browser, base, endpoint_of, roles=ROLES, screenshot_dir=None, max_pages=400):
    """Visit every page each role reaches; ``endpoint_of(path)`` names the Flask endpoint or None."""
    report = Report()
    shots = {(territory, handle): [(name, path) for name, t, h, path in SCREENSHOTS if (t, h) == (territory, handle)]
             for territory, handle in {(t, h) for _n, t, h, _p in SCREENSHOTS}} if screenshot_dir else {}
    for role in roles:
        role_started = time.monotonic()
        context = browser.new_context(viewport=PHONE, locale="fr-FR")
        # axe-core is served from one address so Chromium compiles it once, not on every page.
        context.route("**/__axe__.js", lambda route: route.fulfill(path=AXE, content_type="application/javascript"))
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        start = "/"
        if role is not None:
            territory, handle = role
            start = _sign_in(page, base, email_of(territory, handle))
        queue, seen_paths, seen_endpoints = [start], set(), set()
        territory_prefix = f"/t/{role[0]}/" if role and role[0] else None
        while queue and len(report.visited) < max_pages:
            path = queue.pop(0)
            if path in seen_paths:
                continue
            seen_paths.add(path)
            endpoint = endpoint_of(path)
            if endpoint is None or endpoint in seen_endpoints:
                continue
            if territory_prefix and path.startswith("/t/") and not path.startswith(territory_prefix):
                continue
            seen_endpoints.add(endpoint)
            if endpoint in report.visited:
                # Checked already, by a humbler role: only read its links (this role may see others).
                response = context.request.get(base + path)
                if response.ok and "text/html" in response.headers.get("content-type", ""):
                    queue.extend(link for link in _links_in_html(response.text(), base) if link not in seen_paths)
                continue
            errors.clear()
            try:
                response = page.goto(base + path, wait_until="load")
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file served for download (its link says so only by its type): not a page
                raise
            if response is not None and response.status >= 500:
                report.problems.append(f"{endpoint} ({path}): server error {response.status}")
            if response is None or response.status >= 400:
                continue  # refused to this role
            if "text/html" not in response.headers.get("content-type", ""):
                continue  # data for machines (NGSI-LD, feeds) under a page-like address: not a page
            landed = urlsplit(page.url)
            if landed.path != urlsplit(path).path:
                queue.insert(0, landed.path + (f"?{landed.query}" if landed.query else ""))  # crawl where it leads
                continue
            report.visited[endpoint] = (role, path)
            started = time.monotonic()
            _check(page, report, role, endpoint, path, errors)
            if os.environ.get("COOPSERV_CRAWL_VERBOSE"):
                print(f"{time.monotonic() - started:5.2f}s {endpoint} {path}", flush=True)
            queue.extend(link for link in _links(page, base) if link not in seen_paths)
        if os.environ.get("COOPSERV_CRAWL_VERBOSE"):
            print(f"== {role}: {time.monotonic() - role_started:.1f}s, {len(seen_endpoints)} endpoints", flush=True)
        for name, path in shots.get(role, []) if role else []:
            _screenshots(page, base, path, name, screenshot_dir)
        context.close()
    return report


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("load")
    return urlsplit(page.url).path


def _links(page, base):
    return _local_paths(page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)"), base)


_HREF = re.compile(r'<a\s[^>]*?href="([^"#]+)[^"]*"(?![^>]*\sdownload)', re.S)


def _links_in_html(text, base):
    return _local_paths([base + html.unescape(href) if href.startswith("/") else html.unescape(href)
                         for href in _HREF.findall(text)], base)


def _local_paths(hrefs, base):
    found = []
    for href in hrefs:
        href = urldefrag(href)[0]
        if not href.startswith(base):
            continue
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(parts.path):
            found.append(path)
    return found


def _check(page, report, role, endpoint, path, errors):
    where = f"{endpoint} ({path}, as {email_of(*role) if role else 'visitor'})"
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > size["width"] + 1:
            report.problems.append(f"{where}: {width} px wide at {size['width']} px")
        for violation in _axe(page, report):
            report.problems.append(f"{where} at {size['width']} px: {violation}")
    page.set_viewport_size(PHONE)
    for error in errors:
        report.problems.append(f"{where}: console error: {error[:200]}")
    title = page.title()
    brand = page.evaluate("(document.querySelector('.brand-name') || {}).textContent || ''").strip()
    if title in ("coopserv", f"{brand} · coopserv") and endpoint not in GENERIC_TITLE_OK:
        report.problems.append(f"{where}: generic page title “{title}”")
    if page.evaluate("document.documentElement.lang") == "fr":
        text = page.evaluate("document.body.innerText")
        match = UNELIDED.search(text)
        if match:
            report.problems.append(f"{where}: French elision missing near “{text[match.start():match.start() + 30]}”")


def _axe(page, report):
    """Serious and critical violations on the page; every rule's outcome is recorded for the audit."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/__axe__.js")
    result = json.loads(page.evaluate(
        "async (tags) => JSON.stringify(await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']}))", AXE_TAGS))
    report.axe_version = result.get("testEngine", {}).get("version", report.axe_version)
    report.passed_rules.update(rule["id"] for rule in result["passes"])
    problems = []
    for violation in result["violations"]:
        report.failed_rules.add(violation["id"])
        report.impacts[violation["impact"]] += len(violation["nodes"])
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return problems


def _screenshots(page, base, path, name, folder):
    os.makedirs(folder, exist_ok=True)
    page.goto(base + path, wait_until="load")
    for size, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.screenshot(path=os.path.join(folder, f"{name}-{suffix}.png"), full_page=True)
    page.set_viewport_size(PHONE)
