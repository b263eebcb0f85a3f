"""Tenant isolation over every route: people of Autun never reach Figeac's data, whatever the URL.

The routes come from the app's URL map at collection time, so a route added by
the core or a plugin is checked without editing this file. URL variables are
filled with real Figeac objects; a variable this file cannot fill fails loudly.
"""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from coopserv import create_app
from coopserv.accounts.models import Membership, User
from coopserv.extensions import db
from coopserv.modules.models import ModuleMember, ServiceModule
from coopserv.organizations.models import Organization
from coopserv.service_requests.models import ServiceRequest
from coopserv.tenancy import territory_scope
from coopserv.testing_routes import ALL_METHODS, discover_routes
from coopserv.timeutil import local_today
from tests.helpers import place_order, rows, text_of

#: Pages anyone may open (a territory's shop window, its open data and public pages, its public calendar);
#: they still must not show private data. The required pages (accessibility, legal notice, personal data)
#: are public by law. An invitation page opens to whoever holds its signed link;
#: ending a preview one is not in changes nothing and goes back to the portal.
PUBLIC_ENDPOINTS = {"portal.home", "branding.theme", "membership.signup", "calendar_public.public_feed", "preview.end",
                    "legal.accessibility_page", "legal.legal_notice", "legal.privacy"}
PUBLIC_BLUEPRINTS = {"open_data", "public", "invitations"}
SECRET_NOTES = "Code portail 4821, laisser chez la gardienne"


def _territory_routes():
    """(method, rule, endpoint) of the core's and the concierge's routes under /t/<territory_slug>/.

    Real Figeac objects stand behind each URL variable here. Every plugin's routes (the concierge's
    too) are also checked by the route isolation test that coopserv.testing adds to each plugin's
    tests (coopserv/route_isolation.py); both discover routes with coopserv.testing_routes.
    """
    app = create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [pytest.param(method, route.rule, route.endpoint, id=f"{method} {route.rule}")
            for route in discover_routes(app, ALL_METHODS)
            if route.in_territory and route.owner in ("core", "concierge") for method in sorted(route.methods)]


ROUTES = _territory_routes()


@pytest.fixture
def world(figeac, autun, catalogue, make_client):
    """Figeac with one order, one participating organization; three signed-in people of Autun."""
    from coopserv.modules.services import set_member
    from coopserv.needs import services as needs
    from coopserv.projects.services import create_project
    from coopserv.tokens.services import create_token

    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue, notes=SECRET_NOTES)
    with territory_scope(figeac.territory):
        member = set_member(figeac.module, {"organization_id": figeac.aero.id, "quota_kind": "none"})
        membership = db.session.scalar(select(Membership).filter_by(user_id=figeac.employee.id))
        needs.ensure_categories()
        need = needs.submit_need({"title": "Navette secrète de Figeac", "description": "Une navette depuis la gare.",
                                  "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                                 figeac.employee, figeac.aero, False)
        collective = needs.create_collective({"title": "Mobilité secrète", "need_ids": [need.id]})
        campaign = needs.create_campaign({"title": "Recueil secret", "opens_on": local_today(),
                                          "closes_on": local_today(),
                                          "questions": [{"text": "Une idée ?", "kind": "text"}]})
        project = create_project({"title": "Projet secret de Figeac", "origin_text": "Soirée des dirigeants",
                                  "service_key": "concierge"}, actor=figeac.admin)
        token, _secret = create_token(figeac.employee, figeac.territory, "Jeton secret de Figeac")
    from datetime import timedelta

    from coopserv.governance import events as gov_events
    from coopserv.governance import services as governance
    from coopserv.timeutil import utcnow

    with territory_scope(figeac.territory):
        meeting = governance.create_meeting({"title": "Comité secret", "starts_at": utcnow() + timedelta(days=7)})
        action = governance.add_action(meeting, {"title": "Réunir les devis", "due_on": local_today()})
        gov_event = gov_events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                                             "starts_at": utcnow() + timedelta(days=3)})
        gov_events.register(gov_event, figeac.employee)
        idea = gov_events.submit_idea(gov_event, figeac.employee,
                                      {"title": "Covoiturage", "pitch": "Idée secrète : les équipes de nuit."})
        from coopserv.committee_indicators import services as committee_indicators
        from coopserv.governance import risks
        from coopserv.projects.services import set_target

        indicator = committee_indicators.create_definition({
            "name": "Indicateur secret", "unit": "recrues", "method": "manual", "reporter_id": figeac.admin.id})
        target = set_target(project, {"indicator_key": "concierge.orders", "target_value": 4})
        risk = risks.save_risk({"title": "Risque secret", "likelihood": 2, "impact": 3,
                                "review_on": local_today()})
    from coopserv.imports.services import preview
    from coopserv.invitations import services as invitations
    from coopserv.network import services as network
    from coopserv.network.models import PracticeSheet
    from coopserv.public.models import PublicRegistration

    with territory_scope(figeac.territory):
        batch = preview("organizations", "name;siret\nImport secret SA;12345678901234\n".encode(), "f.csv",
                        figeac.admin)
        invitation = invitations.invite({"email": "invitee@figeac.example", "name": "Invitée secrète",
                                         "role": "employee", "organization_id": figeac.aero.id}, figeac.admin)
        db.session.add(PublicRegistration(event_id=gov_event.id, name="Visiteur secret", email="v@figeac.example"))
        db.session.commit()
        registration_id = db.session.scalar(select(PublicRegistration.id))
    figeac_network = network.create_network({"slug": "reseau-figeac", "name": "Réseau de Figeac"})
    network.add_territory(figeac_network, figeac.territory)
    sheet = PracticeSheet(network_id=figeac_network.id, source_territory_id=figeac.territory.id,
                          source_project_id=project.id, title="Fiche secrète de Figeac", stage="decided",
                          outcome="perennial", template={"format": "coopserv.project-template/1"})
    db.session.add(sheet)
    db.session.commit()
    clients = {}
    for role in ("employee", "admin", "operator"):
        clients[role] = make_client()
        clients[role].login(getattr(autun, role))
    return SimpleNamespace(
        figeac=figeac, autun=autun, catalogue=catalogue, clients=clients,
        values={
            "request_id": request.id,
            "membership_id": membership.id,
            "organization_id": figeac.aero.id,
            "user_id": figeac.employee.id,
            "member_id": member.id,
            "item_id": catalogue.shirt.id,
            "service_key": "concierge",
            "form": "provider",
            "key": "concierge.orders",
            "need_id": need.id,
            "collective_id": collective.id,
            "campaign_id": campaign.id,
            "project_id": project.id,
            "token_id": token.id,
            "meeting_id": meeting.id,
            "action_id": action.id,
            "event_id": gov_event.id,
            "idea_id": idea.id,
            "batch_id": batch.id,
            "kind": "organizations",
            "name": "figeac-logo.png",
            "sheet_id": sheet.id,
            "token": invitations.token_for(invitation),
            "invitation_id": invitation.id,
            "registration_id": registration_id,
            "indicator_id": indicator.id,
            "target_id": target.id,
            "risk_id": risk.id,
        },
        secrets=[
            "Figeac Aéro", "Menuiserie du Célé", "camille@aero.example", "lou@menuiserie.example",
            "rh@aero.example", "admin@figeac.example", "concierge@figeac.example", "Pressing du Célé",
            "ZA de l'Aiguille", SECRET_NOTES, figeac.aero.invitation_code, figeac.menuiserie.invitation_code,
            "Navette secrète", "Projet secret", "Recueil secret", "Jeton secret", "Comité secret", "Idée secrète",
            "Import secret", "Fiche secrète", "Visiteur secret", "v@figeac.example",
            "Indicateur secret", "Risque secret",
        ],
        state=lambda: _figeac_state(figeac, catalogue, request.id),
    )


def _figeac_state(figeac, catalogue, request_id):
    """Everything a stray POST could change in Figeac, to compare before and after."""
    from coopserv_plugins.concierge.models import CatalogItem, Provider

    from coopserv.imports.models import ImportBatch
    from coopserv.invitations.models import Invitation
    from coopserv.network.models import PracticeReplication
    from coopserv.public.models import PublicRegistration

    db.session.expire_all()
    with territory_scope(figeac.territory):
        return {
            "request": db.session.scalar(select(ServiceRequest.status).filter_by(id=request_id)),
            "memberships": sorted(db.session.execute(select(Membership.id, Membership.role, Membership.status)).all()),
            "organizations": sorted(db.session.execute(select(Organization.name, Organization.invitation_code)).all()),
            "modules": db.session.execute(
                select(ServiceModule.enabled, ServiceModule.stage, ServiceModule.config)).all(),
            "module_members": sorted(db.session.scalars(select(ModuleMember.id))),
            "items": sorted(db.session.execute(select(CatalogItem.id, CatalogItem.active)).all()),
            "providers": sorted(db.session.scalars(select(Provider.name))),
            "users": len(rows(User)),
            "imports": db.session.execute(select(ImportBatch.id, ImportBatch.status)).all(),
            "invitations": db.session.execute(select(Invitation.id, Invitation.status, Invitation.nonce)).all(),
            "public_registrations": sorted(db.session.scalars(select(PublicRegistration.id))),
            "replications": len(rows(PracticeReplication)),
            **_cooperation_state(),
        }


def _cooperation_state():
    """Projects, votes, committee indicators and risks: what the decision and governance routes could change."""
    from coopserv.committee_indicators.models import CommitteeIndicator, IndicatorFigure
    from coopserv.governance.models import AgendaItem, Risk
    from coopserv.projects.models import ProjectEvent, ProjectTarget, ServiceProject

    return {
        "projects": sorted(db.session.execute(select(ServiceProject.id, ServiceProject.title, ServiceProject.stage,
                                                     ServiceProject.service_key, ServiceProject.lead_id)).all()),
        "project_story": len(db.session.scalars(select(ProjectEvent.id)).all()),
        "targets": sorted(db.session.execute(select(ProjectTarget.id, ProjectTarget.target_value)).all()),
        "items": sorted(db.session.execute(select(AgendaItem.id, AgendaItem.vote_status)).all()),
        "indicators": sorted(db.session.execute(select(CommitteeIndicator.id, CommitteeIndicator.name)).all()),
        "figures": len(db.session.scalars(select(IndicatorFigure.id)).all()),
        "risks": sorted(db.session.execute(select(Risk.id, Risk.likelihood, Risk.impact)).all()),
    }


def _build(rule_text, endpoint, slug, values):
    """Fill the rule's URL variables from Figeac's objects; fail loudly for one nobody knows."""
    from flask import current_app

    rule = next(r for r in current_app.url_map.iter_rules() if r.rule == rule_text and r.endpoint == endpoint)
    missing = sorted(rule.arguments - {"territory_slug"} - set(values))
    if missing:
        pytest.fail(f"{rule_text}: no Figeac value for URL variable(s) {missing}; add them to the `world` fixture "
                    "of tests/test_isolation_routes.py so this route's isolation is checked.")
    arguments = {name: values[name] for name in rule.arguments if name != "territory_slug"}
    return rule.build({"territory_slug": slug, **arguments}, append_unknown=False)[1]


def _send(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": client.csrf_token()})


def _leaks(response, secrets):
    page = text_of(response) + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return [secret for secret in secrets if secret in page]


def _refused(response, endpoint):
    """403/404, or a request to authenticate (the login page, or 401 for token-authenticated APIs)."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return True
    public = endpoint in PUBLIC_ENDPOINTS or endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS
    return public and response.status_code < 500


def test_every_territory_route_is_collected():
    endpoints = {param.values[2] for param in ROUTES}
    assert {"admin.members", "requests.detail", "requests.queue", "concierge.manage", "notifications.index",
            "modules.configure", "portal.home"} <= endpoints


@pytest.mark.parametrize(("method", "rule", "endpoint"), ROUTES)
def test_people_of_autun_get_nothing_of_figeac(world, method, rule, endpoint):
    """On Figeac's URL: refused, no Figeac data, nothing changed; on Autun's URL with Figeac's ids: no data."""
    before = world.state()
    url = _build(rule, endpoint, "figeac", world.values)
    for role, client in world.clients.items():
        response = _send(client, method, url)
        assert _refused(response, endpoint), f"{role} of Autun got {response.status_code} on {method} {url}"
        assert _leaks(response, world.secrets) == [], f"{role} of Autun saw Figeac data on {method} {url}"
    anonymous = world.clients["employee"].application.test_client()
    response = _send(anonymous, method, url)
    assert _refused(response, endpoint), f"anonymous got {response.status_code} on {method} {url}"
    assert _leaks(response, world.secrets) == [], f"anonymous saw Figeac data on {method} {url}"

    # Autun's admin and operator pass the role checks at home; Figeac's ids must still resolve to nothing.
    home_url = _build(rule, endpoint, "autun-morvan", world.values)
    for role in ("admin", "operator"):
        response = _send(world.clients[role], method, home_url)
        assert response.status_code < 500, f"{role} of Autun crashed {method} {home_url}"
        assert _leaks(response, world.secrets) == [], f"{role} of Autun saw Figeac data on {method} {home_url}"
    assert world.state() == before, f"{method} {rule} by people of Autun changed Figeac"


def test_the_secrets_are_really_shown_to_figeac(world, make_client):
    """The leak detector is meaningful: Figeac's own admin and operator do see these strings."""
    admin = make_client()
    admin.login(world.figeac.admin)
    members = text_of(admin.get("/t/figeac/admin/members"))
    assert "camille@aero.example" in members and "Figeac Aéro" in members
    operator = make_client()
    operator.login(world.figeac.operator)
    queue = text_of(operator.get("/t/figeac/operator/concierge"))
    assert "camille@aero.example" in queue or "Figeac Aéro" in queue
    detail = text_of(operator.get(f"/t/figeac/requests/{world.values['request_id']}"))
    assert SECRET_NOTES in detail


def test_autun_people_are_really_signed_in_at_home(world):
    assert world.clients["employee"].get("/t/autun-morvan/requests").status_code == 200
    assert world.clients["admin"].get("/t/autun-morvan/admin/members").status_code == 200
    assert world.clients["operator"].get("/t/autun-morvan/operator/concierge").status_code == 200
