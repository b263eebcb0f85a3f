"""The whole first run of a new territory in Chromium, by the UI alone, following the checklist and pages.

The platform operator has created the territory from its EPCI (its towns come from the official
administrative division) and its admin (as ``coopserv territory create --epci`` and ``coopserv user
create`` do); from there every step is a click or a field fill in the browser, counted: an
organization (with its business park), invitations (one accepted by an employee), a need recorded, a
project launched from it, a committee and charter, pilots and a target, the prototype opened, the
carpool service's prerequisites met from the project page (a point pasted for the park and for a
town), a preview as a pilot's employee, a first carpool request, and the admin seeing it counted.
The first run must take at most 45 actions.

Spouse welcome, the service this journey played before carpooling fitted the budget, keeps its
first-run checks without a browser (tests/onboarding/test_first_run.py).
"""
import os
import re

import pytest
from playwright.sync_api import expect

from coopserv.accounts.models import TERRITORY_ADMIN, Membership
from coopserv.accounts.services import create_user
from coopserv.extensions import db
from coopserv.tenancy import territory_scope
from coopserv.territories.services import create_territory_with_towns
from coopserv.testing import TEST_PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "screenshots")
#: The issue's bar for the whole first run.
MAX_ACTIONS = 45
#: The pilot service: carpooling, whose prerequisites (a business park and a town, each with its point)
#: are met during the run.
SERVICE = "mobility"
#: CC Grand-Figeac: its 92 communes become the territory's towns.
GRAND_FIGEAC = "200067361"


class Counted:
    """The user's actions on a page (clicks, fills, choices, opening a link received by e-mail), counted."""

    def __init__(self, page, base):
        self.page, self.base, self.actions = page, base, 0

    def click(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, selector, value):
        self.actions += 1
        self.page.fill(selector, value)

    def choose(self, selector, value=None, label=None):
        self.actions += 1
        if label is not None:
            self.page.select_option(selector, label=label)
        else:
            self.page.select_option(selector, value)

    def check(self, selector):
        self.actions += 1
        self.page.check(selector)

    def open(self, url):
        self.actions += 1
        self.page.goto(url)

    def step(self, key):
        """Follow the checklist's link for ``key``."""
        self.click(self.page.locator(f"#getting-started li[data-step='{key}'] a"))

    def home(self):
        self.click(self.page.locator("header a.brand"))


def _shoot(page, name):
    """Photograph the page at 1,280 and 360 px (tests/screenshots/, not committed), then back to 1,280."""
    page.screenshot(path=os.path.join(SCREENSHOTS, f"first-run-{name}.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=os.path.join(SCREENSHOTS, f"first-run-{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _operator_creates_the_territory():
    territory = create_territory_with_towns({"slug": "vallee", "name": "Vallée du Lot"}, epci_sirens=[GRAND_FIGEAC])
    admin = create_user("Ada Martin", "ada@vallee.example", TEST_PASSWORD)
    with territory_scope(territory):
        db.session.add(Membership(user_id=admin.id, role=TERRITORY_ADMIN, status="active",
                                  territory_id=territory.id))
        db.session.commit()
    return territory, admin


def test_a_new_territory_reaches_its_first_pilot_request_in_45_actions(browser_page, live_server):
    page, base = browser_page, live_server
    os.makedirs(SCREENSHOTS, exist_ok=True)
    _operator_creates_the_territory()
    admin = Counted(page, base)

    # The admin signs in and lands on the territory's home, where the checklist says what comes first.
    page.goto(f"{base}/login")
    admin.fill("#email", "ada@vallee.example")
    admin.fill("#password", TEST_PASSWORD)
    admin.click(page.locator("main button[type=submit]"))
    page.wait_for_url(f"{base}/t/vallee/")
    expect(page.locator("#getting-started li.next")).to_have_attribute("data-step", "organizations")
    _shoot(page, "checklist")

    # 1. Organizations: created with the business park it stands in; its page comes next with whom to invite.
    admin.step("organizations")
    admin.fill("#name", "Aéro Figeac")
    admin.fill("#business_park", "ZA de l'Aiguille")
    admin.click(page.locator("main form button[type=submit]"))
    expect(page.locator("h1")).to_have_text("Aéro Figeac")

    # 2. Invitations: no referent yet, so the page invites the referent and the first employee together.
    admin.fill("#referent_emails", "rita@aero.example")
    admin.fill("#emails", "nina@aero.example")
    admin.click(page.get_by_role("button", name="Envoyer les invitations"))
    expect(page.locator("#invite-role")).to_have_value("employee")
    # The link also goes by e-mail; the page shows it to copy. Nina's is read as her mail client would.
    nina_link = page.locator("#invitations tr", has_text="nina@aero.example").locator("input.copy-link").input_value()
    _shoot(page, "organization")

    # 3. A need heard at a business leaders' meeting, recorded for the organization from its page.
    admin.click(page.get_by_role("link", name="Enregistrer un besoin pour cette organisation"))
    admin.fill("#title", "Covoiturage vers la zone de l'Aiguille")
    admin.fill("#description", "Pas de bus après 20 h : les équipes du soir viennent seules en voiture.")
    admin.choose("#category_id", label="Mobilité domicile-travail")
    admin.fill("#source", "Petit-déjeuner des dirigeants")
    admin.click(page.get_by_role("button", name="Enregistrer le besoin"))

    # 4. The need launches a project in one action.
    admin.click(page.get_by_role("button", name="Lancer un projet à partir de ce besoin"))
    page.wait_for_url(re.compile(r".*/projects/\d+$"))
    project_url = page.url

    # 5. Pilots, dates (proposed) and the service; a target on the service's own indicator.
    admin.choose("#service_key", SERVICE)
    admin.click(page.get_by_role("button", name="Enregistrer l’expérimentation"))
    admin.fill("#target_value", "5")
    admin.click(page.get_by_role("button", name="Fixer l’objectif"))
    admin.fill("#reason", "Besoin confirmé par trois entreprises")
    admin.click(page.get_by_role("button", name="Faire avancer le projet"))

    # 6. Governance first: the project page leads to the committee, its first member leads to the charter
    #    (a starting text is proposed), and the adopted charter leads back to the project.
    admin.click(page.get_by_role("link", name="Constituer le comité"))
    admin.click(page.get_by_role("button", name="Ajouter au comité"))
    expect(page.locator("#text")).not_to_be_empty()
    _shoot(page, "charter")
    admin.click(page.get_by_role("button", name="Adopter cette version"))
    assert page.url == project_url

    # 7. The prototype opens for the pilot.
    admin.fill("#reason", "Pilote prêt")
    admin.click(page.get_by_role("button", name="Faire avancer le projet"))
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.url == project_url

    # 8. The project page says what carpooling still needs; one form gives the park and a town their points
    #    (pasted as map sites copy them), then comes back to the project.
    expect(page.locator("#prerequisites-h")).to_be_visible()
    _shoot(page, "prototype")
    admin.click(page.get_by_role("link", name="Au moins une zone d’activité (où l’on travaille)"))
    admin.fill("#park-0-point", "44.6163, 2.0155")
    admin.fill("#town-46102-point", "44.6086, 2.0317")  # Figeac, among the EPCI's towns
    _shoot(page, "places")
    admin.click(page.get_by_role("button", name="Enregistrer les points"))
    assert page.url == project_url
    expect(page.locator("#prerequisites-h")).to_have_count(0)

    # 9. The open service is previewed from the project page, as the pilot's employees will see it.
    admin.click(page.get_by_role("button", name="Aperçu", exact=True))
    expect(page.locator(".preview-banner")).to_contain_text("Aéro Figeac")
    expect(page.locator("#business_park_id")).to_be_visible()  # the pilot's employees get the commute form
    admin.click(page.get_by_role("button", name="Terminer l’aperçu"))
    expect(page.locator(".preview-banner")).to_have_count(0)

    # 10. Nina follows her invitation (another browser), creates her account and asks for a seat: her
    #     organization's park and the only town are proposed, weekdays and one seat too.
    other = page.context.browser.new_context(locale="fr-FR")
    nina_page = other.new_page()
    nina = Counted(nina_page, base)
    nina.open(nina_link)
    nina.fill("#name", "Nina Roussel")
    nina.fill("#password", "un mot de passe solide")
    nina.fill("#password_confirm", "un mot de passe solide")
    nina.click(nina_page.get_by_role("button", name="Créer mon compte et rejoindre"))
    nina_page.wait_for_url(f"{base}/t/vallee/")
    nina.click(nina_page.locator(f"a[href='/t/vallee/services/{SERVICE}']"))
    _shoot(nina_page, "commute-form")
    expect(nina_page.locator("#business_park_id option:checked")).to_have_text("ZA de l'Aiguille")
    expect(nina_page.locator("#town_id option:checked")).to_have_text("Figeac (46100)")
    nina.check("#kind-request")
    nina.fill("#departure_time", "07:30")
    nina.fill("#return_time", "17:00")
    nina.click(nina_page.locator("main button[type=submit]").last)
    nina_page.wait_for_url(re.compile(r".*/requests/\d+$"))
    other.close()

    # 11. The admin sees the first request counted in the indicators.
    admin.click(page.locator("header a", has_text="Indicateurs"))
    _shoot(page, "indicator")
    card = page.locator("section.indicator", has=page.get_by_role("heading", name="Trajets publiés"))
    expect(card.locator(".value")).to_have_text("1")
    # Checked, not counted: every step of the checklist is done, so it folds on the overview and leaves the home.
    page.goto(f"{base}/t/vallee/admin/")
    checklist = page.locator("#getting-started")
    expect(checklist).not_to_have_attribute("open", "")
    expect(checklist.locator("li.done")).to_have_count(9)
    page.goto(f"{base}/t/vallee/")
    expect(page.locator("#getting-started")).to_have_count(0)

    actions = admin.actions + nina.actions
    print(f"first run: {actions} actions (admin {admin.actions}, employee {nina.actions})")
    assert actions <= MAX_ACTIONS
