"""The story of a project, from the first need to the committee's decision."""
from .models import EVALUATION


def timeline(project):
    """Everything that happened, oldest first: needs, their grouping, each stage and the decision."""
    entries = []
    for collective in project.collective_needs:
        for need in collective.needs:
            entries.append((need.created_at, "need", {"need": need}))
        entries.append((collective.created_at, "collective", {"collective": collective}))
        if collective.flagged_at:
            entries.append((collective.flagged_at, "flagged", {"collective": collective}))
    decisions = iter(project.decisions)
    for event in project.events:
        decision = next(decisions, None) if event.from_stage == EVALUATION else None
        if decision is not None:
            entries.append((event.at, "decision", {"event": event, "decision": decision}))
        else:
            entries.append((event.at, "event", {"event": event}))
    entries.sort(key=lambda entry: (entry[0], entry[1] != "need"))
    return entries
