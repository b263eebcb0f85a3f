"""The one place that writes public-page settings and visitors' registrations, and the reads visitors get.

Reads return only what a visitor may see: titles, counts, stages and
decisions, never a person's or a company's name.
"""
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.governance.models import GovernanceEvent
from coopserv.modules.models import STOPPED, ServiceModule
from coopserv.needs.models import MERGED, NOT_RETAINED, Need, NeedCategory, NeedSupport
from coopserv.plugin_host import service_type
from coopserv.projects.models import ProjectDecision, ServiceProject
from coopserv.timeutil import utcnow

from .models import SECTIONS, PublicationSettings, PublicRegistration, PublishedEvent

#: Needs shown on the public board (the most supported first).
NEEDS_SHOWN = 50
PROJECTS_SHOWN = 100
EVENTS_SHOWN = 50


def settings():
    """The territory's settings (an unsaved row publishing nothing when none was saved)."""
    row = db.session.scalar(select(PublicationSettings))
    return row if row is not None else PublicationSettings(introduction="", **{name: False for name in SECTIONS})


def save_settings(data, actor=None):
    row = db.session.scalar(select(PublicationSettings))
    if row is None:
        row = PublicationSettings()
        db.session.add(row)
    for name in (*SECTIONS, "introduction"):
        setattr(row, name, data[name])
    record("public.settings_changed", "", actor=actor, **{name: data[name] for name in SECTIONS})
    db.session.commit()
    return row


def services():
    """(module, service type) of the services running, by label; stopped and unknown ones are left out."""
    modules = db.session.scalars(select(ServiceModule).where(ServiceModule.enabled.is_(True),
                                                             ServiceModule.stage != STOPPED)).all()
    pairs = [(m, service_type(m.service_key)) for m in modules]
    return sorted(((m, k) for m, k in pairs if k is not None), key=lambda pair: str(_(pair[1].label)))


def needs():
    """(title, category, supports) of open needs, most supported first; no author, no company."""
    supports = (select(NeedSupport.need_id, func.count(NeedSupport.id).label("count"))
                .group_by(NeedSupport.need_id).subquery())
    count = (1 + func.coalesce(supports.c.count, 0)).label("supports")
    rows = db.session.execute(
        select(Need.title, NeedCategory.key, NeedCategory.label, count)
        .outerjoin(supports, supports.c.need_id == Need.id)
        .outerjoin(NeedCategory, NeedCategory.id == Need.category_id)
        .where(Need.status.not_in((MERGED, NOT_RETAINED)))
        .order_by(count.desc(), Need.id.desc()).limit(NEEDS_SHOWN)).all()
    total = db.session.scalar(select(func.count(Need.id)).where(Need.status.not_in((MERGED, NOT_RETAINED))))
    return rows, total


def projects():
    """(project, latest decision or None), newest first: two queries."""
    found = db.session.scalars(select(ServiceProject).order_by(ServiceProject.id.desc())
                               .limit(PROJECTS_SHOWN)).all()
    latest = {}
    if found:
        for decision in db.session.scalars(select(ProjectDecision).where(
                ProjectDecision.project_id.in_([p.id for p in found])).order_by(ProjectDecision.id)):
            latest[decision.project_id] = decision
    return [(project, latest.get(project.id)) for project in found]


def events():
    """Published events, upcoming first (soonest first), then past ones (latest first)."""
    rows = db.session.execute(
        select(GovernanceEvent, PublishedEvent).join(PublishedEvent, PublishedEvent.event_id == GovernanceEvent.id)
        .order_by(GovernanceEvent.starts_at.desc()).limit(EVENTS_SHOWN)).all()
    now = utcnow()
    upcoming = sorted((r for r in rows if r[0].starts_at >= now), key=lambda r: r[0].starts_at)
    return upcoming, [r for r in rows if r[0].starts_at < now]


def published_event(event_id):
    """(event, publication) of a published event of the territory, or None."""
    row = db.session.execute(
        select(GovernanceEvent, PublishedEvent).join(PublishedEvent, PublishedEvent.event_id == GovernanceEvent.id)
        .where(GovernanceEvent.id == event_id)).first()
    return tuple(row) if row is not None else None


def registration_count(event_id):
    return db.session.scalar(select(func.count(PublicRegistration.id)).filter_by(event_id=event_id)) or 0


def accepts_registrations(event, publication, now=None):
    return publication.registration_open and event.starts_at > (now or utcnow())


def places_left(event, publication):
    if publication.capacity is None:
        return None
    return max(publication.capacity - registration_count(event.id), 0)


def register(event, publication, data):
    """Register a visitor (validated data); return (registration, created). Registering twice changes nothing."""
    if not accepts_registrations(event, publication):
        raise ValidationError({"_schema": [_("Registration for this event is closed.")]})
    existing = db.session.scalar(select(PublicRegistration).filter_by(event_id=event.id, email=data["email"]))
    if existing is not None:
        return existing, False
    if places_left(event, publication) == 0:
        raise ValidationError({"_schema": [_("The event is full.")]})
    registration = PublicRegistration(event_id=event.id, name=data["name"], email=data["email"],
                                      company=data.get("company", ""))
    db.session.add(registration)
    _confirm_by_email(event, registration)
    try:
        db.session.commit()
    except IntegrityError:  # the same address sent twice at once: the first one counts
        db.session.rollback()
        return db.session.scalar(select(PublicRegistration).filter_by(event_id=event.id, email=data["email"])), False
    return registration, True


def _confirm_by_email(event, registration):
    """E-mail the visitor their registration (sent after the commit, so only a kept registration is confirmed)."""
    from coopserv.emails.categories import EVENTS
    from coopserv.emails.services import send_to_address

    send_to_address(registration.email, EVENTS, "emails/event_registration.html", name=registration.name,
                    event=event.title, starts_at=event.starts_at, place=event.place or "")


# -- administration ---------------------------------------------------------------------------
def event_publications(events_=None):
    """(event, publication or None, visitors' count) of ``events_`` (every event of the territory by default).

    Two more queries whatever the number of events (the API passes one page of them).
    """
    if events_ is None:
        events_ = db.session.scalars(select(GovernanceEvent).order_by(GovernanceEvent.starts_at.desc())).all()
    ids = [event.id for event in events_]
    if not ids:
        return []
    publications = {p.event_id: p for p in db.session.scalars(select(PublishedEvent)
                                                               .where(PublishedEvent.event_id.in_(ids)))}
    counts = dict(db.session.execute(select(PublicRegistration.event_id, func.count(PublicRegistration.id))
                                     .where(PublicRegistration.event_id.in_(ids))
                                     .group_by(PublicRegistration.event_id)).all())
    return [(event, publications.get(event.id), counts.get(event.id, 0)) for event in events_]


def set_publication(data, actor=None):
    """Publish or withdraw an event, and open or close it to visitors' registration."""
    event = db.session.scalar(select(GovernanceEvent).filter_by(id=data["event_id"]))
    if event is None:
        raise ValidationError({"event_id": [_("Choose an event of this territory.")]})
    publication = db.session.scalar(select(PublishedEvent).filter_by(event_id=event.id))
    if not data["published"]:
        if publication is not None:
            db.session.delete(publication)
    else:
        if publication is None:
            publication = PublishedEvent(event_id=event.id)
            db.session.add(publication)
        publication.registration_open = data["registration_open"]
        publication.capacity = data.get("capacity")
    record("public.event_published" if data["published"] else "public.event_withdrawn", event.title, actor=actor)
    db.session.commit()
    return publication


def registrations(event_id):
    return list(db.session.scalars(select(PublicRegistration).filter_by(event_id=event_id)
                                   .order_by(PublicRegistration.id)))


def delete_registration(registration, actor=None):
    """Remove a visitor's registration (their request, or an obvious abuse)."""
    record("public.registration_deleted", registration.event_id, actor=actor)
    db.session.delete(registration)
    db.session.commit()
