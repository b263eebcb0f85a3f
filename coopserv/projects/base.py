"""What every part of the project services shares: lookups, field errors and the recorded story."""
from flask_babel import lazy_gettext
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from coopserv.accounts.models import Membership
from coopserv.extensions import db
from coopserv.organizations.models import Organization
from coopserv.plugin_host import plugin_host
from coopserv.timeutil import utcnow

from .models import ProjectContribution, ProjectEvent, ProjectPartner, ServiceProject


def field_error(field, message):
    return ValidationError({field: [message]})


def list_projects():
    return list(db.session.scalars(select(ServiceProject).order_by(ServiceProject.id.desc())))


#: The collections each kind of page shows, beyond the partners, targets and contributions every one shows:
#: the project's page tells its whole story, the evaluation report only its decision, the practice sheet
#: where the project came from.
STORY = ("needs", "events", "decisions")
REPORT = ("decisions",)
SHEET = ("needs",)


def get_project(project_id, shows=STORY):
    """A project with what its pages show, each collection read once (no query per partner or need).

    ``shows`` names the other collections the page needs (STORY, REPORT or SHEET); the targets, a few rows,
    come in the project's own statement.
    """
    from coopserv.needs.models import CollectiveNeed

    # Targets and decisions are a few rows each (one per measure, one per committee decision): they come in the
    # project's own statement; the other collections, one statement each.
    options = [joinedload(ServiceProject.module), joinedload(ServiceProject.lead),
               joinedload(ServiceProject.targets),
               selectinload(ServiceProject.partners).joinedload(ProjectPartner.organization),
               selectinload(ServiceProject.contributions).joinedload(ProjectContribution.organization)]
    if "needs" in shows:
        # The collective needs with their needs, in one statement.
        options.append(selectinload(ServiceProject.collective_needs).joinedload(CollectiveNeed.needs))
    if "events" in shows:
        # The timeline's events come with who made them.
        options.append(selectinload(ServiceProject.events).joinedload(ProjectEvent.actor))
    if "decisions" in shows:
        # Decisions in order, the last one shown.
        options.append(joinedload(ServiceProject.decisions))
    query = select(ServiceProject).filter_by(id=project_id).options(*options)
    return db.session.execute(query).unique().scalar_one_or_none()


def find_project(project_id):
    """The project alone, for pages that show none of its collections (its edit form)."""
    return db.session.get(ServiceProject, project_id)


def check_service_key(key):
    if key and key not in plugin_host().service_types:
        raise field_error("service_key", lazy_gettext("Choose one of the proposed values."))


def organizations(ids, field):
    """The organizations of this territory with these ids, or a field error naming ``field``."""
    ids = set(ids or [])
    found = list(db.session.scalars(select(Organization).where(Organization.id.in_(ids)))) if ids else []
    if len(found) != len(ids):
        raise field_error(field, lazy_gettext("Choose organizations of this territory."))
    return found


def territory_member(user_id, field="lead_id"):
    """The user when they hold a role in this territory, None for no id, else a field error."""
    if user_id is None:
        return None
    member = db.session.scalar(select(Membership).filter_by(user_id=user_id).limit(1))
    if member is None:
        raise field_error(field, lazy_gettext("Choose a member of this territory."))
    return member.user


def add_event(project, from_stage, to_stage, actor, reason, at=None):
    """Add a step to the project's story (the caller commits)."""
    event = ProjectEvent(project=project, from_stage=from_stage, to_stage=to_stage,
                         actor_id=actor.id if actor else None, reason=reason or "", at=at or utcnow())
    db.session.add(event)
    return event
