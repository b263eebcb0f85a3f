"""Committee decisions on evaluated projects, and what they change in the project's module."""
from datetime import datetime, time

from flask_babel import lazy_gettext

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.modules import services as modules
from coopserv.modules.models import PERENNIAL as MODULE_PERENNIAL
from coopserv.modules.models import STOPPED as MODULE_STOPPED
from coopserv.notifications.services import notify
from coopserv.timeutil import utcnow

from .base import add_event, field_error
from .models import DECIDED, DESIGN, EVALUATION, ITERATE, OUTCOMES, PERENNIAL, STOPPED, ProjectDecision


def record_decision(project, outcome, votes, note, actor=None, decided_on=None):
    """Apply a committee decision on an evaluated project and change its module's stage.

    Governance calls this once a vote is counted: ``votes`` is a dict with
    ``for``, ``against`` and ``abstain`` counts. Perennial opens the module to
    every organization; stopped disables it (its history stays); iterate takes
    the project back to design with the module left as it is.
    """
    if project.stage != EVALUATION:
        raise field_error("outcome", lazy_gettext("A decision is taken on a project in evaluation."))
    if outcome not in (PERENNIAL, ITERATE, STOPPED):
        raise field_error("outcome", lazy_gettext("Choose one of the proposed values."))
    decision = ProjectDecision(project=project, outcome=outcome, decided_on=decided_on or utcnow().date(),
                               votes_for=votes.get("for", 0), votes_against=votes.get("against", 0),
                               votes_abstain=votes.get("abstain", 0), note=note or "",
                               actor_id=actor.id if actor else None)
    db.session.add(decision)
    module = project.module
    if module is not None and outcome == PERENNIAL:
        modules.update_settings(module, {"stage": MODULE_PERENNIAL, "access": module.access,
                                         "pilot_organization_ids": [o.id for o in module.pilot_organizations]})
    elif module is not None and outcome == STOPPED:
        modules.update_settings(module, {"stage": MODULE_STOPPED, "access": module.access,
                                         "pilot_organization_ids": [o.id for o in module.pilot_organizations]})
        modules.disable_module(module)
    old = project.stage
    project.outcome = outcome
    project.stage = DESIGN if outcome == ITERATE else DECIDED
    # A decision dated in the past still comes after the evaluation in the story.
    at = max(datetime.combine(decided_on, time(12)), project.events[-1].at) if decided_on and project.events else None
    add_event(project, old, project.stage, actor, note, at=at)
    record("projects.decided", project.id, actor=actor, outcome=outcome, votes=votes)
    if project.lead_id:
        notify(project.lead_id, _l("The committee decided on the project “%(title)s”: %(outcome)s."),
               title=project.title, outcome=_outcome_label(outcome))
    db.session.commit()
    return decision


def _outcome_label(outcome):
    return OUTCOMES[outcome]
