"""Events: registration, idea pitches, one vote per idea and participant, ranking, ideas turned into projects."""
from datetime import timedelta

from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.governance import events
from coopserv.governance.models import (
    EventRegistration,
    GovernanceEvent,
    IdeaPitch,
    IdeaVote,
)
from coopserv.projects.models import IDEA, ServiceProject
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import utcnow

BASE = "/t/grand-quercy/governance"
HTMX = {"HX-Request": "true"}


def in_days(days, hour=18):
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _count(model, **filters):
    query = select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True})
    for key, value in filters.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def _evening(quercy):
    with territory_scope(quercy.territory):
        return events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                                    "starts_at": in_days(5), "place": "Gourdon"})


def test_admin_creates_an_event_with_field_errors_on_bad_input(quercy, login):
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/events/new", {"kind": "party", "title": "x", "starts_at": "soon"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert all(f'id="{name}-error"' in page for name in ("kind", "title", "starts_at"))
    assert _count(GovernanceEvent) == 0
    assert login(quercy.employee).post_form(f"{BASE}/events/new", {"kind": "startup_evening", "title": "Soirée",
                                                                   "starts_at": "2030-01-01T18:30"}).status_code == 403
    response = admin.post_form(f"{BASE}/events/new", {"kind": "startup_evening", "title": "Start Up de Territoire",
                                                      "starts_at": "2030-01-01T18:30", "place": "Figeac"})
    assert response.status_code == 302
    event = db.session.scalar(select(GovernanceEvent).execution_options(**{ALL_TERRITORIES: True}))
    # Typed on the territory's clock (Paris, winter: UTC+1), stored in UTC.
    assert (event.starts_at.hour, event.starts_at.minute) == (17, 30) and event.place == "Figeac"


def test_registered_participants_pitch_and_vote_once_per_idea(quercy, login):
    event = _evening(quercy)
    employee, referent, leader = login(quercy.employee), login(quercy.referent), login(quercy.leader)
    pitch = {"title": "Covoiturage de nuit", "pitch": "Les équipes de nuit n'ont pas de bus."}
    # Not registered yet: no pitch.
    assert employee.post_form(f"{BASE}/events/{event.id}/ideas", pitch).status_code == 403
    for client in (employee, referent, leader):
        assert client.post_form(f"{BASE}/events/{event.id}/register").status_code == 302
    employee.post_form(f"{BASE}/events/{event.id}/register")  # twice: still one registration
    assert _count(EventRegistration) == 3
    registration = db.session.scalar(select(EventRegistration).filter_by(user_id=quercy.employee.id)
                                     .execution_options(**{ALL_TERRITORIES: True}))
    assert registration.organization_id == quercy.cannery.id

    response = employee.post_form(f"{BASE}/events/{event.id}/ideas", {"title": "Vélos", "pitch": "court"})
    assert response.status_code == 422 and 'id="pitch-error"' in response.get_data(as_text=True)
    assert _count(IdeaPitch) == 0
    assert employee.post_form(f"{BASE}/events/{event.id}/ideas", pitch).status_code == 302
    assert referent.post_form(f"{BASE}/events/{event.id}/ideas", {
        "title": "Crèche aux horaires décalés", "pitch": "Ouverte de 5 h à 22 h pour les postés."}).status_code == 302
    night, creche = db.session.scalars(select(IdeaPitch).order_by(IdeaPitch.id)
                                       .execution_options(**{ALL_TERRITORIES: True})).all()

    # Votes through htmx: the ranking comes back, most voted first.
    response = leader.post_form(f"{BASE}/ideas/{creche.id}/vote", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<div id="ideas">')
    assert fragment.index(f'id="idea-{creche.id}"') < fragment.index(f'id="idea-{night.id}"')
    employee.post_form(f"{BASE}/ideas/{creche.id}/vote", headers=HTMX)
    employee.post_form(f"{BASE}/ideas/{night.id}/vote", headers=HTMX)
    # One vote per idea per participant.
    response = employee.post_form(f"{BASE}/ideas/{creche.id}/vote", headers=HTMX)
    assert response.status_code == 422 and 'id="_schema-error"' in response.get_data(as_text=True)
    assert _count(IdeaVote, idea_id=creche.id) == 2 and _count(IdeaVote) == 3
    # Only registered participants vote.
    assert login(quercy.mayor).post_form(f"{BASE}/ideas/{night.id}/vote").status_code == 403
    assert _count(IdeaVote) == 3

    with territory_scope(quercy.territory):
        assert [(idea.id, votes) for idea, votes in events.ranking(event)] == [(creche.id, 2), (night.id, 1)]


def test_top_idea_becomes_a_service_project_in_one_click(quercy, login):
    event = _evening(quercy)
    with territory_scope(quercy.territory):
        events.register(event, quercy.leader)
        idea = events.submit_idea(event, quercy.leader, {"title": "Crèche aux horaires décalés",
                                                         "pitch": "Ouverte de 5 h à 22 h pour les postés."})
    assert login(quercy.leader).post_form(f"{BASE}/ideas/{idea.id}/project").status_code == 403
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/ideas/{idea.id}/project")
    assert response.status_code == 302 and "/projects/" in response.headers["Location"]
    project = db.session.scalar(select(ServiceProject).execution_options(**{ALL_TERRITORIES: True}))
    assert project.stage == IDEA and project.title == "Crèche aux horaires décalés"
    assert "Ouverte de 5 h à 22 h" in project.origin_text and "Start Up de Territoire" in project.origin_text
    db.session.refresh(idea)
    assert idea.project_id == project.id
    # Twice: refused, still one project.
    assert admin.post_form(f"{BASE}/ideas/{idea.id}/project").status_code == 422
    assert _count(ServiceProject) == 1
    page = admin.get(f"{BASE}/events/{event.id}").get_data(as_text=True)
    assert f'/projects/{project.id}"' in page
