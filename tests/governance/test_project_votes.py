"""An admin walks a project's decision to the committee: from the project page to a prefilled agenda item,
under the charter's rule that the form cannot weaken, and back from the counted vote to the project."""
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.governance import services
from coopserv.governance.models import AgendaItem, Meeting
from coopserv.projects.models import EVALUATION, ProjectEvent, ServiceProject
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import local_today, utcnow

BASE = "/t/grand-quercy/governance"
PROJECTS = "/t/grand-quercy/projects"
#: Article 3 of a charter: perennialising needs two thirds and a majority in every college.
STRICT = {"perennial": {"quorum_percent": 60, "majority": "two_thirds", "each_college": True}}


def _project_in_evaluation(quercy, evaluated_days_ago=20):
    with territory_scope(quercy.territory):
        project = ServiceProject(title="Micro-crèche du Mas de Jouy", stage=EVALUATION, origin_text="Besoins")
        project.events.append(ProjectEvent(from_stage="prototype", to_stage=EVALUATION, reason="Fin de l'essai",
                                           at=utcnow() - timedelta(days=evaluated_days_ago)))
        db.session.add(project)
        db.session.commit()
        return project


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def _meeting(quercy, days):
    with territory_scope(quercy.territory):
        starts_at = (utcnow() + timedelta(days=days)).replace(hour=18, minute=0, second=0, microsecond=0)
        return services.create_meeting({"title": "Comité de pilotage", "starts_at": starts_at, "place": "Gourdon"})


def _charter(quercy, rules):
    with territory_scope(quercy.territory):
        services.add_charter_version({"text": "Le comité décide selon les règles ci-dessous, article par article.",
                                      "adopted_on": local_today(), "decision_rules": rules}, quercy.admin)


def _page(client, url):
    return unescape(client.get(url).get_data(as_text=True))


def test_the_project_page_leads_to_a_meeting_with_the_decision_ready_to_put_to_the_vote(quercy, login):
    project = _project_in_evaluation(quercy)
    admin = login(quercy.admin)
    # No meeting to come: the project page offers to plan one, which then proposes the decision.
    page = _page(admin, f"{PROJECTS}/{project.id}")
    assert f'href="{BASE}/meetings/new?project_id={project.id}"' in page
    form = _page(admin, f"{BASE}/meetings/new?project_id={project.id}")  # the link itself opens the form
    assert f'action="{BASE}/meetings/new?project_id={project.id}"' in form
    created = admin.post_form(f"{BASE}/meetings/new?project_id={project.id}", {
        "title": "Comité de pilotage", "starts_at": (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")})
    assert created.status_code == 302
    meeting_id = db.session.scalar(select(Meeting.id).execution_options(**{ALL_TERRITORIES: True}))
    assert created.headers["Location"].endswith(f"/meetings/{meeting_id}?project_id={project.id}")
    form = _page(admin, created.headers["Location"])
    assert f'<option value="{project.id}" selected>' in form
    assert 'value="Décision sur le projet de service « Micro-crèche du Mas de Jouy »"' in form
    assert 'id="with_vote" name="with_vote" value="true" checked' in form
    # A meeting to come: the project page links straight to its agenda form.
    page = _page(admin, f"{PROJECTS}/{project.id}")
    assert f'href="{BASE}/meetings/{meeting_id}?project_id={project.id}#new-item"' in page
    # Members and other territories' projects get no prefilled form.
    assert "selected>Micro-crèche" not in _page(admin, f"{BASE}/meetings/{meeting_id}?project_id=999999")
    assert f'?project_id={project.id}' not in _page(login(quercy.mayor), f"{PROJECTS}/{project.id}")
    # Once the decision is on the agenda, the page shows the open vote instead of the link.
    assert admin.post_form(f"{BASE}/meetings/{meeting_id}/items", {
        "title": "Pérenniser la micro-crèche", "project_id": project.id,
        "project_outcome": "perennial"}).status_code == 302
    page = _page(admin, f"{PROJECTS}/{project.id}")
    assert f"?project_id={project.id}" not in page and "Vote ouvert" in page


def test_the_agenda_form_cannot_weaken_the_charter_and_the_counted_vote_names_the_failed_college(quercy, login):
    project = _project_in_evaluation(quercy)
    _charter(quercy, STRICT)
    meeting = _meeting(quercy, days=-3)
    admin = login(quercy.admin)
    url = f"{BASE}/meetings/{meeting.id}/items"
    base = {"title": "Pérenniser la micro-crèche", "project_id": str(project.id), "project_outcome": "perennial"}
    weaker = admin.post_form(url, {**base, "quorum_percent": "50", "majority": "simple"})
    page = unescape(weaker.get_data(as_text=True))
    assert weaker.status_code == 422
    assert 'id="quorum_percent-error"' in page and "au moins 60 % des membres" in page
    assert 'id="majority-error"' in page and "majorité des deux tiers" in page
    assert _count(AgendaItem) == 0
    # Left empty, the rule is the charter's; asking more is allowed.
    assert admin.post_form(url, {**base, "quorum_percent": "80"}).status_code == 302
    with territory_scope(quercy.territory):
        item = db.session.scalar(select(AgendaItem))
        assert (item.quorum_percent, item.majority, item.each_college) == (80, "two_thirds", True)
    # Four of five for, but the companies split: two thirds reached, the companies' college failed.
    for person, choice in ((quercy.mayor, "for"), (quercy.technician, "for"), (quercy.leader, "for"),
                           (quercy.builder_boss, "against"), (quercy.club_chair, "for")):
        assert login(person).post_form(f"{BASE}/items/{item.id}/vote", {"choice": choice}).status_code == 302
    assert admin.post_json(f"{BASE}/items/{item.id}/close").get_json()["result"] == "rejected"
    minutes = _page(login(quercy.mayor), f"{BASE}/meetings/{meeting.id}")
    assert "le collège « Entreprises » n’a pas donné de majorité" in minutes
    assert f'Inscrit comme non adopté dans l’histoire du projet : <a href="{PROJECTS}/{project.id}">' in minutes
    story = _page(admin, f"{PROJECTS}/{project.id}")
    assert f'href="{BASE}/meetings/{meeting.id}#item-{item.id}"' in story
    assert "décision proposée : Pérenniser" in minutes
    with territory_scope(quercy.territory):
        project = db.session.get(ServiceProject, project.id)
        assert project.stage == EVALUATION and project.outcome is None
        # The story dates the refusal at the meeting that voted, not at the day the vote was closed.
        assert (project.events[-1].kind, project.events[-1].at) == ("not_adopted", meeting.starts_at)
