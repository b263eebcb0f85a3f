"""Committee decisions on evaluated projects: taken only by a closed vote, and what they change in the module.

A decision (perennial, iterate, stop) is never typed by hand: it is recorded
when a committee vote on an agenda item linked to the project closes adopted.
A vote that closes otherwise (rejected, quorum not met) is recorded as "not
adopted" in the project's story, and the project stays in evaluation.
"""
from flask_babel import lazy_gettext

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.modules import services as modules
from coopserv.modules.models import PERENNIAL as MODULE_PERENNIAL
from coopserv.notifications.services import notify
from coopserv.timeutil import local_date_of, utcnow

from .base import add_event, field_error
from .models import (
    DECIDED,
    DESIGN,
    EVALUATION,
    ITERATE,
    NOT_ADOPTED,
    OUTCOMES,
    PERENNIAL,
    STOPPED,
    ProjectDecision,
)

#: What requesters of a stopped service read about why their request closed.
COMMITTEE_STOP_REASON = _l("The steering committee decided to stop this service.")


def apply_vote(item, actor=None):
    """Record what a closed committee vote on a project decides; the caller's transaction is committed here.

    ``item`` is the ``AgendaItem``, closed and counted, linked to a project in
    evaluation. Adopted, its proposed outcome becomes the project's decision;
    otherwise "not adopted" joins the story and the project stays in evaluation.
    """
    project = item.project
    if project is None or item.vote_status != "closed" or item.result is None:
        raise field_error("project_id", lazy_gettext("A decision comes from a closed committee vote on the project."))
    if project.stage != EVALUATION:
        raise field_error("project_id", lazy_gettext("A decision is taken on a project in evaluation."))
    if item.project_outcome not in OUTCOMES:
        raise field_error("project_outcome", lazy_gettext("Choose one of the proposed values."))
    if item.result == "adopted":
        return _decide(project, item, actor)
    _not_adopted(project, item, actor)
    db.session.commit()
    return None


def decision_date(item, now=None):
    """The day the committee decided: its meeting's, once the meeting has begun; today otherwise."""
    now = now or utcnow()
    starts_at = item.meeting.starts_at
    return local_date_of(starts_at if starts_at <= now else now)


def voted_at(item):
    """When the committee voted, for the story: at its meeting if the vote closed on a later day, else at closing."""
    closed = item.closed_at or utcnow()
    starts_at = item.meeting.starts_at
    return starts_at if starts_at < closed and local_date_of(starts_at) != local_date_of(closed) else closed


def _vote_link(item):
    """Where the vote is read (built when the notification is shown, so also from jobs and the CLI)."""
    from coopserv.urls import target

    return target("governance.meeting", meeting_id=item.meeting_id, _anchor=f"item-{item.id}")


def _mail_decision(project, outcome, votes, note):
    """E-mail the decision to the project's lead and to the steering committee."""
    from coopserv.emails.categories import PROJECTS
    from coopserv.emails.services import send_email_to_users
    from coopserv.governance.services import committee_members
    from coopserv.urls import target

    recipients = [project.lead_id] + [member.user.id for member in committee_members()]
    send_email_to_users(recipients, PROJECTS, "emails/project_decision.html",
                        link_to=target("projects.detail", project_id=project.id),
                        title=project.title, outcome=outcome, note=note or "",
                        votes={key: votes.get(key, 0) for key in ("for", "against", "abstain")})


def _decide(project, item, actor):
    """Apply the adopted outcome: perennial opens the module to all, stop closes it, iterate goes back to design."""
    outcome, totals = item.project_outcome, (item.tally or {}).get("totals", {})
    decided_on = decision_date(item)
    decision = ProjectDecision(project=project, outcome=outcome, decided_on=decided_on,
                               votes_for=totals.get("for", 0), votes_against=totals.get("against", 0),
                               votes_abstain=totals.get("abstain", 0), note=item.proposal or "",
                               actor_id=actor.id if actor else None, agenda_item_id=item.id)
    db.session.add(decision)
    old = project.stage
    project.outcome = outcome
    project.stage = DESIGN if outcome == ITERATE else DECIDED
    # A decision dated in the past still comes after the evaluation in the story.
    at = max(voted_at(item), project.events[-1].at) if project.events else None
    event = add_event(project, old, project.stage, actor, item.proposal, at=at)
    event.agenda_item_id = item.id
    record("projects.decided", project.id, actor=actor, outcome=outcome, votes=totals, item=item.id)
    if project.lead_id:
        notify(project.lead_id, _l("The committee decided on the project “%(title)s”: %(outcome)s."),
               link_to=_vote_link(item), title=project.title, outcome=OUTCOMES[outcome])
    _mail_decision(project, outcome, totals, item.proposal)
    module = project.module
    if module is not None and outcome == PERENNIAL:
        # Commits the decision with the module's new stage.
        modules.update_settings(module, {"stage": MODULE_PERENNIAL, "access": module.access,
                                         "pilot_organization_ids": [o.id for o in module.pilot_organizations]})
    elif module is not None and outcome == STOPPED:
        # Commits the decision, closes the module's open requests and tells its plugin.
        modules.stop_module(module, COMMITTEE_STOP_REASON, actor)
    else:
        db.session.commit()
    return decision


def _not_adopted(project, item, actor):
    """Record in the story that the committee did not adopt the proposal, and why; the project stays in evaluation."""
    tally = item.tally or {}
    details = {"outcome": item.project_outcome, "result": item.result, "reason": item.result_reason,
               "failed_colleges": list(tally.get("failed_colleges") or []), "totals": tally.get("totals", {})}
    at = max(voted_at(item), project.events[-1].at) if project.events else None
    event = add_event(project, EVALUATION, EVALUATION, actor, item.proposal, at=at)
    event.kind, event.details, event.agenda_item_id = NOT_ADOPTED, details, item.id
    record("projects.not_adopted", project.id, actor=actor, outcome=item.project_outcome, result=item.result,
           item=item.id)
    if project.lead_id:
        notify(project.lead_id, _l("The committee did not adopt the proposal on the project “%(title)s”: "
                                   "%(outcome)s. The project stays in evaluation."),
               link_to=_vote_link(item), title=project.title, outcome=OUTCOMES[item.project_outcome])
    return event
