"""First run of a new territory: the checklist, invitations from the admin pages, needs recorded on an
organization's behalf, a project launched from a need, governance before the prototype, labels."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.governance.services import add_member
from coopserv.invitations.models import PENDING, REVOKED, Invitation
from coopserv.needs import services as needs
from coopserv.needs.models import ADDRESSED, Need
from coopserv.projects import services as projects
from coopserv.projects.models import PROTOTYPE, ProjectEvent, ServiceProject
from coopserv.tenancy import territory_scope
from coopserv.timeutil import local_today
from tests.helpers import indicator_value, rows, text_of


@pytest.fixture
def fresh(app, make_territory, make_user, make_client):
    """An empty territory with its admin signed in."""
    territory = make_territory(slug="neuf", name="Territoire neuf")
    admin = make_user(territory, "territory_admin", name="Ada Admin", email="ada@neuf.example")
    client = make_client()
    client.login(admin)

    class Fresh:
        pass

    fresh = Fresh()
    fresh.territory, fresh.admin, fresh.client = territory, admin, client
    return fresh


def _steps(page):
    """(key, state) of each checklist step as the page shows it."""
    import re

    return re.findall(r'<li class="(done|next|todo)" data-step="([a-z]+)"', page)


def test_an_empty_territory_shows_the_checklist_with_the_first_step_next(fresh):
    page = text_of(fresh.client.get("/t/neuf/admin/"))
    steps = _steps(page)
    assert [key for _state, key in steps] == ["organizations", "people", "needs", "project", "committee", "pilots",
                                              "prerequisites", "preview", "request"]
    assert steps[0] == ("next", "organizations") and all(state == "todo" for state, _key in steps[1:])
    assert "/t/neuf/admin/organizations" in page and 'id="getting-started" open' in page
    # The empty territory home leads the admin the same way.
    assert _steps(text_of(fresh.client.get("/t/neuf/")))[0] == ("next", "organizations")


def test_steps_are_done_from_the_data_in_one_statement(fresh, make_organization, make_user, count_queries):
    organization = make_organization(fresh.territory, name="Aéro")
    make_user(fresh.territory, "company_referent", organization)
    from coopserv.onboarding.checklist import checklist

    with fresh.client.application.test_request_context("/t/neuf/admin/"):
        with territory_scope(fresh.territory):
            checklist()  # the first call also loads the territory for the links
            with count_queries() as statements:
                steps = checklist()
    assert len(statements) == 1, statements
    assert {step.key: step.done for step in steps} == {
        "organizations": True, "people": True, "needs": False, "project": False, "committee": False,
        "pilots": False, "prerequisites": False, "preview": False, "request": False}


def _done(fresh):
    from coopserv.onboarding.checklist import checklist

    with fresh.client.application.test_request_context("/t/neuf/admin/"):
        with territory_scope(fresh.territory):
            return {step.key: step.done for step in checklist()}


def test_the_prerequisites_step_follows_every_enabled_services_prerequisites(fresh, enable_module):
    from coopserv_plugins.mobility.models import BusinessPark, Town

    assert not _done(fresh)["prerequisites"]  # no service enabled yet: nothing is ready
    enable_module(fresh.territory, "mobility")
    assert not _done(fresh)["prerequisites"]  # no business park, no town
    with territory_scope(fresh.territory):
        db.session.add(BusinessPark(name="ZA Nord", latitude=44.6, longitude=2.03))
        db.session.commit()
    assert not _done(fresh)["prerequisites"]  # still no town
    with territory_scope(fresh.territory):
        db.session.add(Town(name="Figeac", latitude=44.6, longitude=2.03))
        db.session.commit()
    assert _done(fresh)["prerequisites"]
    concierge = enable_module(fresh.territory, "concierge")  # a second service, with no provider yet
    assert not _done(fresh)["prerequisites"]
    from coopserv.modules.services import update_settings

    with territory_scope(fresh.territory):
        update_settings(concierge, {"stage": "stopped"})  # a stopped service is not waited for
    assert _done(fresh)["prerequisites"]


def test_the_preview_step_is_done_once_an_admin_has_previewed_the_portal(fresh, make_organization, make_user,
                                                                         enable_module, make_client):
    organization = make_organization(fresh.territory, name="Aéro")
    enable_module(fresh.territory, "spouse_welcome")
    employee = make_client()
    employee.login(make_user(fresh.territory, "employee", organization))
    employee.get("/t/neuf/")
    assert not _done(fresh)["preview"]  # an employee visiting is not a preview
    refused = fresh.client.post_form("/t/neuf/preview/start", {"organization_id": "abc"})
    assert refused.status_code == 303 and not _done(fresh)["preview"]  # nor is a refused start
    started = fresh.client.post_form("/t/neuf/preview/start", {"organization_id": str(organization.id),
                                                                "service_key": "spouse_welcome"})
    assert started.status_code == 303 and _done(fresh)["preview"]
    fresh.client.post_form("/t/neuf/preview/end")
    page = text_of(fresh.client.get("/t/neuf/admin/"))
    assert ("done", "preview") in _steps(page)


def test_the_checklist_costs_the_same_statements_whatever_the_data_volume(fresh, make_organization, make_user,
                                                                          enable_module, count_queries):
    from coopserv.onboarding.checklist import checklist

    enable_module(fresh.territory, "mobility")
    enable_module(fresh.territory, "concierge")

    def statements():
        with fresh.client.application.test_request_context("/t/neuf/admin/"):
            with territory_scope(fresh.territory):
                checklist()
                with count_queries() as counted:
                    checklist()
                return len(counted)

    few = statements()
    for number in range(12):
        organization = make_organization(fresh.territory, name=f"Société {number}")
        make_user(fresh.territory, "company_referent", organization)
    assert statements() == few


def test_the_admin_lands_on_their_territory_portal_and_employees_see_no_checklist(fresh, make_user, make_client,
                                                                                   make_organization):
    client = make_client()
    response = client.post_form("/login", {"email": "ada@neuf.example", "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/t/neuf/")
    employee = make_user(fresh.territory, "employee", make_organization(fresh.territory))
    other = make_client()
    other.login(employee)
    page = text_of(other.get("/t/neuf/"))
    assert "getting-started" not in page
    assert ">API<" not in page  # the API menu is for admins, referents, operators and the committee


def test_inviting_many_people_from_the_members_page_lists_them_with_links(fresh, make_organization):
    organization = make_organization(fresh.territory, name="Aéro")
    response = fresh.client.post_form("/t/neuf/admin/invitations/", {
        "emails": "Nina@aero.example, paul@aero.example\nzoe@aero.example", "role": "company_referent",
        "organization_id": str(organization.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/members#invite")
    with territory_scope(fresh.territory):
        invited = {(i.email, i.role, i.organization_id, i.status) for i in rows(Invitation)}
    assert invited == {(email, "company_referent", organization.id, PENDING)
                       for email in ("nina@aero.example", "paul@aero.example", "zoe@aero.example")}
    page = text_of(fresh.client.get("/t/neuf/admin/members"))
    assert page.count('class="copy-link"') == 3 and "/t/neuf/invitations/" in page


def test_one_wrong_address_invites_nobody(fresh):
    fresh.client.post_form("/t/neuf/admin/invitations/", {"emails": "good@example.org not-an-address",
                                                           "role": "employee"})
    with territory_scope(fresh.territory):
        assert rows(Invitation) == []
    assert "not-an-address" in text_of(fresh.client.get("/t/neuf/admin/members"))


def test_an_invitation_is_sent_again_with_a_new_link_or_revoked(fresh):
    fresh.client.post_form("/t/neuf/admin/invitations/", {"emails": "nina@example.org", "role": "employee"})
    with territory_scope(fresh.territory):
        invitation = rows(Invitation)[0]
        invitation_id, nonce = invitation.id, invitation.nonce
    fresh.client.post_form(f"/t/neuf/admin/invitations/{invitation_id}/resend")
    with territory_scope(fresh.territory):
        assert db.session.get(Invitation, invitation_id).nonce != nonce
    fresh.client.post_form(f"/t/neuf/admin/invitations/{invitation_id}/revoke")
    with territory_scope(fresh.territory):
        assert db.session.get(Invitation, invitation_id).status == REVOKED
    assert "Aucune invitation n'attend de réponse." in text_of(fresh.client.get("/t/neuf/admin/members"))


def test_the_organization_page_shows_people_sign_up_link_and_a_qr_poster(fresh, make_organization, make_user,
                                                                         make_client):
    organization = make_organization(fresh.territory, name="Aéro")
    make_user(fresh.territory, "company_referent", organization, name="Rita Référente")
    page = text_of(fresh.client.get(f"/t/neuf/admin/organizations/{organization.id}"))
    assert "Rita Référente" in page and f"code={organization.invitation_code}" in page
    assert f"/admin/organizations/{organization.id}/edit" in page
    poster = text_of(fresh.client.get(f"/t/neuf/admin/invitations/poster/{organization.id}"))
    assert "<svg" in poster and organization.invitation_code in poster
    # The link on the poster fills the code in on the sign-up form.
    signup = text_of(make_client().get(f"/t/neuf/signup?code={organization.invitation_code}"))
    assert f'value="{organization.invitation_code}"' in signup


def test_an_admin_records_a_need_for_an_organization_with_its_source(fresh, make_organization):
    organization = make_organization(fresh.territory, name="Aéro")
    with territory_scope(fresh.territory):
        category_id = needs.list_categories()[0].id
    form = {"organization_id": str(organization.id), "title": "Garde d'enfants tôt le matin",
            "description": "Noté lors du petit-déjeuner des dirigeants.", "category_id": str(category_id),
            "employees_affected": "12"}
    refused = fresh.client.post_form("/t/neuf/needs/new", form)
    assert refused.status_code == 422 and "Indiquez où ce besoin a été recueilli" in text_of(refused)
    with territory_scope(fresh.territory):
        assert rows(Need) == []
    response = fresh.client.post_form("/t/neuf/needs/new", {**form, "source": "Petit-déjeuner des dirigeants"})
    assert response.status_code == 302
    with territory_scope(fresh.territory):
        need = rows(Need)[0]
        assert (need.organization_id, need.scope, need.employees_affected, need.source) == (
            organization.id, "company", 12, "Petit-déjeuner des dirigeants")


def test_a_campaign_warns_when_no_organization_has_a_referent(fresh, make_organization, make_user):
    assert "Aucune organisation n'a encore de référent" in text_of(fresh.client.get("/t/neuf/needs/campaigns/new"))
    make_user(fresh.territory, "company_referent", make_organization(fresh.territory))
    assert "Aucune organisation n'a encore de référent" not in text_of(
        fresh.client.get("/t/neuf/needs/campaigns/new"))


def _need(fresh, organization):
    with territory_scope(fresh.territory):
        return needs.submit_need({"title": "Covoiturage vers la zone", "description": "Pas de bus après 20 h.",
                                  "category_id": needs.list_categories()[0].id, "employees_affected": 30,
                                  "source": "Réunion"}, fresh.admin, organization, False, on_behalf=True).id


def test_a_single_need_launches_a_project_in_one_action(fresh, make_organization):
    organization = make_organization(fresh.territory, name="Aéro")
    need_id = _need(fresh, organization)
    response = fresh.client.post_form(f"/t/neuf/projects/from-need/{need_id}")
    assert response.status_code == 302
    with territory_scope(fresh.territory):
        project = rows(ServiceProject)[0]
        need = db.session.get(Need, need_id)
        assert response.headers["Location"].endswith(f"/projects/{project.id}")
        assert (need.status, need.project_id) == (ADDRESSED, project.id)
        assert project.title == "Covoiturage vers la zone"
        assert [p.organization_id for p in project.partners] == [organization.id]


def test_employees_cannot_launch_projects(fresh, make_organization, make_user, make_client):
    organization = make_organization(fresh.territory)
    need_id = _need(fresh, organization)
    client = make_client()
    client.login(make_user(fresh.territory, "employee", organization))
    assert client.post_form(f"/t/neuf/projects/from-need/{need_id}").status_code == 403


def _ready_project(fresh, organization):
    with territory_scope(fresh.territory):
        project = projects.create_project({"title": "Covoiturage", "origin_text": "Réunion",
                                           "service_key": "mobility"}, fresh.admin)
        projects.move(project, "design", "On conçoit", fresh.admin)
        start = local_today()
        projects.set_experiment(project, {"experiment_start": start, "experiment_end": start + timedelta(days=90),
                                          "pilot_ids": [organization.id]}, fresh.admin)
        projects.set_target(project, {"indicator_key": "mobility.active_crews", "target_value": 10}, fresh.admin)
        return project.id


def test_the_prototype_waits_for_a_committee_or_an_acknowledgement(fresh, make_organization):
    project_id = _ready_project(fresh, make_organization(fresh.territory))
    refused = fresh.client.post_form(f"/t/neuf/projects/{project_id}/move",
                                     {"to_stage": "prototype", "reason": "Prêt"})
    assert refused.status_code == 422 and "aucun membre" in text_of(refused)
    with territory_scope(fresh.territory):
        assert db.session.get(ServiceProject, project_id).stage == "design"
    fresh.client.post_form(f"/t/neuf/projects/{project_id}/move",
                           {"to_stage": "prototype", "reason": "Prêt", "no_committee_yet": "true"})
    with territory_scope(fresh.territory):
        assert db.session.get(ServiceProject, project_id).stage == PROTOTYPE
        last = db.session.scalars(select(ProjectEvent).filter_by(project_id=project_id)
                                  .order_by(ProjectEvent.id.desc())).first()
        assert last.reason.startswith("Prêt — ") and "sans comité de pilotage" in last.reason


def test_with_a_committee_the_prototype_opens_without_acknowledgement(fresh, make_organization):
    project_id = _ready_project(fresh, make_organization(fresh.territory))
    with territory_scope(fresh.territory):
        add_member({"user_id": fresh.admin.id}, fresh.admin)
        db.session.commit()
    response = fresh.client.post_form(f"/t/neuf/projects/{project_id}/move", {"to_stage": "prototype",
                                                                              "reason": "Prêt"})
    assert response.status_code == 302
    with territory_scope(fresh.territory):
        assert db.session.get(ServiceProject, project_id).stage == PROTOTYPE


def test_an_empty_needs_board_does_not_speak_of_filters(fresh, make_organization, make_user, make_client):
    page = text_of(fresh.client.get("/t/neuf/needs/"))
    assert "Aucun besoin n'a encore été exprimé." in page and "Aucun besoin ne correspond à ces filtres." not in page
    assert "Enregistrer un besoin pour une organisation" not in page  # no organization yet
    make_organization(fresh.territory)
    assert "Enregistrer un besoin pour une organisation" in text_of(fresh.client.get("/t/neuf/needs/"))


def test_once_its_service_is_open_the_project_page_offers_the_admin_a_preview(fresh, make_organization, make_user,
                                                                            make_client):
    organization = make_organization(fresh.territory, name="Aéro")
    project_id = _ready_project(fresh, organization)
    url = f"/t/neuf/projects/{project_id}"
    assert 'id="preview-h"' not in text_of(fresh.client.get(url))  # no service opened yet
    fresh.client.post_form(f"{url}/move", {"to_stage": "prototype", "reason": "Prêt", "no_committee_yet": "true"})
    page = text_of(fresh.client.get(url))
    assert 'id="preview-h"' in page and 'name="service_key" value="mobility"' in page
    member = make_client()
    member.login(make_user(fresh.territory, "governance_member", name="Gaston Comité"))
    seen = member.get(url)
    assert seen.status_code == 200 and 'id="preview-h"' not in text_of(seen)  # previewing is for territory admins


def test_a_spouse_welcome_pilot_is_previewed_and_its_first_request_counts_at_once(fresh, make_organization, make_user,
                                                                                   make_client, enable_module):
    """Spouse welcome, once the service of the browser journey, keeps its first-run checks here."""
    organization = make_organization(fresh.territory, name="Aéro")
    module = enable_module(fresh.territory, "spouse_welcome", stage="prototype", pilots=(organization,))
    make_user(fresh.territory, "service_operator", module=module)  # its prerequisite: a welcome referent
    started = fresh.client.post_form("/t/neuf/preview/start", {"organization_id": str(organization.id),
                                                                "service_key": "spouse_welcome"})
    preview = text_of(fresh.client.get(started.headers["Location"]))
    assert "preview-banner" in preview and 'id="partner_first_name"' in preview  # the pilot's employees get the form
    fresh.client.post_form("/t/neuf/preview/end")
    label = "Dossiers d'accueil des conjoints ouverts"
    assert indicator_value(text_of(fresh.client.get("/t/neuf/indicators/")), label) in (None, "0")  # read, cached

    employee = make_client()
    employee.login(make_user(fresh.territory, "employee", organization, name="Nina Roussel"))
    arrival = local_today().replace(day=1).replace(year=local_today().year + 1)
    sent = employee.post_form("/t/neuf/services/spouse_welcome/requests", {
        "partner_first_name": "Karim", "profession": "Infirmier", "arrival_date": arrival.isoformat()})
    assert sent.status_code == 302, text_of(sent)[:500]
    assert indicator_value(text_of(fresh.client.get("/t/neuf/indicators/")), label) == "1"
    assert _done(fresh)["request"]


def test_an_organization_without_a_referent_invites_its_referent_and_employees_at_once(fresh, make_organization):
    organization = make_organization(fresh.territory, name="Aéro")
    page = text_of(fresh.client.get(f"/t/neuf/admin/organizations/{organization.id}"))
    assert 'name="referent_emails"' in page and 'id="invite-role"' not in page
    response = fresh.client.post_form("/t/neuf/admin/invitations/", {
        "referent_emails": "Rita@aero.example", "emails": "nina@aero.example paul@aero.example", "role": "employee",
        "organization_id": str(organization.id), "back_to_organization": str(organization.id)})
    assert response.status_code == 302
    with territory_scope(fresh.territory):
        assert {(i.email, i.role) for i in rows(Invitation)} == {
            ("rita@aero.example", "company_referent"), ("nina@aero.example", "employee"),
            ("paul@aero.example", "employee")}
    # A referent is on the way: the usual form, employees by default.
    page = text_of(fresh.client.get(f"/t/neuf/admin/organizations/{organization.id}"))
    assert 'name="referent_emails"' not in page and '<option value="employee" selected>' in page


def test_a_wrong_referent_address_invites_nobody(fresh, make_organization):
    organization = make_organization(fresh.territory, name="Aéro")
    fresh.client.post_form("/t/neuf/admin/invitations/", {
        "referent_emails": "rita-at-aero", "emails": "nina@aero.example", "role": "employee",
        "organization_id": str(organization.id), "back_to_organization": str(organization.id)})
    with territory_scope(fresh.territory):
        assert rows(Invitation) == []
    assert "rita-at-aero" in text_of(fresh.client.get(f"/t/neuf/admin/organizations/{organization.id}"))


def test_the_committee_set_up_from_a_project_goes_on_to_the_charter_then_back(fresh, make_organization):
    project_id = _ready_project(fresh, make_organization(fresh.territory))
    project = f"/t/neuf/projects/{project_id}"
    link = f'/t/neuf/governance/?next=/t/neuf/projects/{project_id}'
    assert link in text_of(fresh.client.get(project)).replace("&amp;", "&")
    committee = text_of(fresh.client.get(link))
    assert f'name="next" value="{project}"' in committee
    added = fresh.client.post_form("/t/neuf/governance/members", {"user_id": str(fresh.admin.id), "next": project})
    assert added.status_code == 302 and added.headers["Location"].endswith(
        f"/governance/charter?next=/t/neuf/projects/{project_id}")
    charter = text_of(fresh.client.get(added.headers["Location"]))
    assert "1. Objet." in charter and f'name="next" value="{project}"' in charter  # a starting text, in French
    refused = fresh.client.post_form("/t/neuf/governance/charter/versions", {"text": "", "next": project,
                                                                              "adopted_on": local_today().isoformat()})
    assert refused.status_code == 422
    adopted = fresh.client.post_form("/t/neuf/governance/charter/versions", {
        "text": "Le comité décide à la majorité.", "adopted_on": local_today().isoformat(), "next": project})
    assert adopted.status_code == 302 and adopted.headers["Location"].endswith(project)
    assert _done(fresh)["committee"]
    # Another site is never a place to go back to.
    elsewhere = fresh.client.post_form("/t/neuf/governance/charter/versions", {
        "text": "Version 2 : le comité décide au consensus.", "adopted_on": local_today().isoformat(), "next": "https://evil.example/"})
    assert elsewhere.headers["Location"].endswith("/t/neuf/governance/charter")


def test_the_project_page_lists_what_its_opened_service_still_needs(fresh, make_organization):
    project_id = _ready_project(fresh, make_organization(fresh.territory))
    url = f"/t/neuf/projects/{project_id}"
    assert 'id="prerequisites-h"' not in text_of(fresh.client.get(url))  # no service opened yet
    fresh.client.post_form(f"{url}/move", {"to_stage": "prototype", "reason": "Prêt", "no_committee_yet": "true"})
    page = text_of(fresh.client.get(url)).replace("&amp;", "&")
    assert 'id="prerequisites-h"' in page
    assert f"/t/neuf/mobility/places?next=/t/neuf/projects/{project_id}#parks" in page
    from coopserv_plugins.mobility.models import BusinessPark, Town

    with territory_scope(fresh.territory):
        db.session.add_all([BusinessPark(name="ZA Nord", latitude=44.6, longitude=2.03),
                            Town(name="Figeac", latitude=44.6, longitude=2.03)])
        db.session.commit()
    assert 'id="prerequisites-h"' not in text_of(fresh.client.get(url))  # all met: nothing to say
