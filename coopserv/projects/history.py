"""The story of a project, from the first need to the committee's decision."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.extensions import db

from .models import EDITED, EVALUATION, NOT_ADOPTED, STAGE_EVENT, ProjectDecision, ProjectEvent


def timeline(project):
    """Everything that happened, oldest first: needs, their grouping, stages, edits, votes and the decision.

    Entries are ``(at, kind, item)`` with kind one of need, collective,
    flagged, event (a move), edited, not_adopted, decision. Events load with
    their people and votes in a few queries, however long the story.
    """
    entries = []
    for collective in project.collective_needs:
        for need in collective.needs:
            entries.append((need.created_at, "need", {"need": need}))
        entries.append((collective.created_at, "collective", {"collective": collective}))
        if collective.flagged_at:
            entries.append((collective.flagged_at, "flagged", {"collective": collective}))
    from coopserv.governance.models import AgendaItem

    events = db.session.scalars(
        select(ProjectEvent).filter_by(project_id=project.id).order_by(ProjectEvent.id)
        .options(selectinload(ProjectEvent.actor),
                 selectinload(ProjectEvent.agenda_item).selectinload(AgendaItem.meeting))).all()
    decisions = iter(db.session.scalars(select(ProjectDecision).filter_by(project_id=project.id)
                                        .order_by(ProjectDecision.id)).all())
    for event in events:
        kind = event.kind or STAGE_EVENT
        if kind == EDITED:
            entries.append((event.at, "edited", {"event": event, "changes": (event.details or {}).get("changes", [])}))
        elif kind == NOT_ADOPTED:
            entries.append((event.at, "not_adopted", {"event": event, "details": event.details or {},
                                                      "item": event.agenda_item}))
        elif event.from_stage == EVALUATION and (decision := next(decisions, None)) is not None:
            entries.append((event.at, "decision", {"event": event, "decision": decision, "item": event.agenda_item}))
        else:
            entries.append((event.at, "event", {"event": event}))
    entries.sort(key=lambda entry: (entry[0], entry[1] != "need"))
    return entries


def latest_decision(project):
    """The project's last decision with its vote, or None."""
    return db.session.scalar(select(ProjectDecision).filter_by(project_id=project.id)
                             .options(selectinload(ProjectDecision.agenda_item))
                             .order_by(ProjectDecision.id.desc()).limit(1))
