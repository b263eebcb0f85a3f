"""The one place that writes events: registrations, idea pitches, idea votes, ideas turned into projects."""
from flask_babel import lazy_gettext
from marshmallow import ValidationError
from sqlalchemy import func, select

from coopserv.audit.services import record
from coopserv.extensions import db

from .models import EventRegistration, GovernanceEvent, IdeaPitch, IdeaVote
from .services import NotAllowed, _by_id


def list_events():
    return list(db.session.scalars(select(GovernanceEvent).order_by(GovernanceEvent.starts_at.desc())))


def get_event(event_id):
    return _by_id(GovernanceEvent, event_id)


def get_idea(idea_id):
    return _by_id(IdeaPitch, idea_id)


def create_event(data, actor=None):
    event = GovernanceEvent(kind=data["kind"], title=data["title"], starts_at=data["starts_at"].replace(tzinfo=None),
                  place=data.get("place", ""), description=data.get("description", ""))
    db.session.add(event)
    db.session.flush()
    record("governance.event_created", event.id, actor=actor, title=event.title)
    db.session.commit()
    return event


def is_registered(event, user):
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return db.session.scalar(select(EventRegistration.id).filter_by(event_id=event.id, user_id=user.id)) is not None


def register(event, user, organization=None):
    """Register a person (idempotent: registering twice keeps one registration)."""
    existing = db.session.scalar(select(EventRegistration).filter_by(event_id=event.id, user_id=user.id))
    if existing is not None:
        return existing
    registration = EventRegistration(event_id=event.id, user_id=user.id,
                                     organization_id=organization.id if organization else None)
    db.session.add(registration)
    db.session.commit()
    return registration


def submit_idea(event, user, data):
    """Pitch an idea, before or during the event; only registered participants pitch."""
    if not is_registered(event, user):
        raise NotAllowed()
    idea = IdeaPitch(event_id=event.id, author_id=user.id, title=data["title"], pitch=data["pitch"])
    db.session.add(idea)
    db.session.commit()
    return idea


def vote_for_idea(idea, user):
    """Give an idea one vote; a participant votes once per idea."""
    if not is_registered(idea.event, user):
        raise NotAllowed()
    if db.session.scalar(select(IdeaVote.id).filter_by(idea_id=idea.id, user_id=user.id)) is not None:
        raise ValidationError({"_schema": [lazy_gettext("You already voted for this idea.")]})
    db.session.add(IdeaVote(idea_id=idea.id, user_id=user.id))
    db.session.commit()


def ranking(event):
    """The event's ideas with their vote counts, most voted first (earliest pitch breaks ties)."""
    counts = dict(db.session.execute(
        select(IdeaVote.idea_id, func.count(IdeaVote.id)).join(IdeaPitch, IdeaPitch.id == IdeaVote.idea_id)
        .where(IdeaPitch.event_id == event.id).group_by(IdeaVote.idea_id)).all())
    ideas = list(db.session.scalars(select(IdeaPitch).filter_by(event_id=event.id).order_by(IdeaPitch.submitted_at,
                                                                                             IdeaPitch.id)))
    return sorted(((idea, counts.get(idea.id, 0)) for idea in ideas), key=lambda pair: -pair[1])


def voted_idea_ids(event, user):
    return set(db.session.scalars(select(IdeaVote.idea_id).join(IdeaPitch, IdeaPitch.id == IdeaVote.idea_id)
                                  .where(IdeaPitch.event_id == event.id, IdeaVote.user_id == user.id)))


def idea_to_project(idea, actor=None):
    """Turn an idea into a service project at the idea stage, the pitch as its origin."""
    from coopserv.projects.services import create_project

    if idea.project_id is not None:
        raise ValidationError({"_schema": [lazy_gettext("This idea is already a service project.")]})
    title = idea.title if len(idea.title) >= 4 else f"{idea.title} ({idea.event.title})"
    project = create_project({"title": title[:200], "summary": idea.pitch,
                              "origin_text": f"{idea.event.title} — {idea.pitch}"[:2000]}, actor)
    idea.project_id = project.id
    record("governance.idea_to_project", idea.id, actor=actor, project=project.id)
    db.session.commit()
    return project
