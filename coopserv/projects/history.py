"""The story of a project, from the first need to the committee's decision."""
from .models import EDITED, EVALUATION, NOT_ADOPTED, STAGE_EVENT


def timeline(project, agenda_items=None):
    """Everything that happened, oldest first: needs, their grouping, stages, edits, votes and the decision.

    Entries are ``(at, kind, item)`` with kind one of need, collective,
    flagged, event (a move), edited, not_adopted, decision. Events and decisions are the
    project's own collections (``get_project`` loads them with their people); the votes are
    ``agenda_items`` (the project's, from ``items_of_project``) when the page already has them.
    """
    from coopserv.governance.services import items_of_project

    entries = []
    for collective in project.collective_needs:
        for need in collective.needs:
            entries.append((need.created_at, "need", {"need": need}))
        entries.append((collective.created_at, "collective", {"collective": collective}))
        if collective.flagged_at:
            entries.append((collective.flagged_at, "flagged", {"collective": collective}))
    items = {item.id: item for item in (items_of_project(project) if agenda_items is None else agenda_items)}

    def item_of(event):
        if event.agenda_item_id is None:
            return None
        return items.get(event.agenda_item_id) or event.agenda_item

    decisions = iter(project.decisions)
    for event in project.events:
        kind = event.kind or STAGE_EVENT
        if kind == EDITED:
            entries.append((event.at, "edited", {"event": event, "changes": (event.details or {}).get("changes", [])}))
        elif kind == NOT_ADOPTED:
            entries.append((event.at, "not_adopted", {"event": event, "details": event.details or {},
                                                      "item": item_of(event)}))
        elif event.from_stage == EVALUATION and (decision := next(decisions, None)) is not None:
            entries.append((event.at, "decision", {"event": event, "decision": decision, "item": item_of(event)}))
        else:
            entries.append((event.at, "event", {"event": event}))
    entries.sort(key=lambda entry: (entry[0], entry[1] != "need"))
    return entries


def latest_decision(project):
    """The project's last decision (its vote comes from the session when the page loaded the project's votes)."""
    return project.decisions[-1] if project.decisions else None
