"""Stages of a service project: creation, partners, the experiment, targets and moving it on."""
from datetime import timedelta

from flask_babel import lazy_gettext
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.modules import services as modules
from coopserv.modules.models import PROTOTYPE as MODULE_PROTOTYPE
from coopserv.needs import services as needs
from coopserv.needs.models import ADDRESSED, MERGED, NOT_RETAINED, CollectiveNeed
from coopserv.notifications.services import notify
from coopserv.plugin_host import plugin_host
from coopserv.timeutil import local_today

from .base import add_event, check_service_key, field_error, organizations, territory_member
from .models import (
    DESIGN,
    EDITED,
    EVALUATION,
    IDEA,
    MOVES,
    PROTOTYPE,
    STAGES,
    ProjectPartner,
    ProjectTarget,
    ServiceProject,
)


def create_project(data, actor=None, at=None):
    """Create a project at the idea stage from collective needs (their needs become addressed by it)."""
    check_service_key(data.get("service_key"))
    collectives = []
    if data.get("collective_need_ids"):
        ids = set(data["collective_need_ids"])
        collectives = list(db.session.scalars(select(CollectiveNeed).where(CollectiveNeed.id.in_(ids))))
        if len(collectives) != len(ids):
            raise field_error("collective_need_ids", lazy_gettext("Choose collective needs of this territory."))
    partners = organizations(data.get("partner_ids"), "partner_ids")
    lead = territory_member(data.get("lead_id"))
    project = ServiceProject(title=data["title"], summary=data.get("summary", ""),
                             origin_text=data.get("origin_text", ""), service_key=data.get("service_key"),
                             lead_id=lead.id if lead else (actor.id if actor else None),
                             collective_needs=collectives, stage=IDEA, module_config=data.get("module_config") or {})
    if at is not None:
        project.created_at = at
    for organization in partners:
        project.partners.append(ProjectPartner(organization=organization))
    db.session.add(project)
    add_event(project, None, IDEA, actor, data.get("origin_text") or "", at=at)
    db.session.flush()
    record("projects.created", project.id, actor=actor, title=project.title)
    db.session.commit()
    for collective in collectives:
        for need in collective.needs:
            if need.status not in (MERGED, NOT_RETAINED, ADDRESSED):
                needs.set_status(need, ADDRESSED, project=project, actor=actor)
    return project


def launch_from_need(need, actor=None):
    """Start a project from a single need (one action): the need is addressed by it, its organization partners it."""
    data = {"title": need.title, "summary": need.description,
            "origin_text": str(lazy_gettext("From the need “%(title)s”.", title=need.title)),
            "partner_ids": [need.organization_id] if need.organization_id else []}
    project = create_project(data, actor)
    if need.status not in (MERGED, NOT_RETAINED, ADDRESSED):
        needs.set_status(need, ADDRESSED, project=project, actor=actor)
    return project


def launch_from_collective(collective, actor=None):
    """Start a project from a collective need; the organizations that expressed its needs become partners."""
    partner_ids = sorted({need.organization_id for need in collective.needs if need.organization_id})
    return create_project({"title": collective.title, "summary": collective.description,
                           "collective_need_ids": [collective.id], "partner_ids": partner_ids}, actor)


#: A first experiment proposed to a new project: from today, for three months.
DEFAULT_EXPERIMENT_DAYS = 91


def default_experiment_period():
    """(start, end) proposed for an experiment not planned yet."""
    today = local_today()
    return today, today + timedelta(days=DEFAULT_EXPERIMENT_DAYS)


def has_committee():
    """Whether the territory's steering committee has a member (an active governance member)."""
    return bool(db.session.scalar(select(has_committee_expression())))


def has_committee_expression():
    """``has_committee`` as an SQL test, for a page reading it beside other figures."""
    from coopserv.accounts.models import ACTIVE, GOVERNANCE_MEMBER, Membership

    return select(Membership.id).filter_by(role=GOVERNANCE_MEMBER, status=ACTIVE).exists()


def can_move(project, user, is_admin):
    """Only the project's lead and territory admins move a project."""
    return is_admin or (user is not None and project.lead_id == user.id)


def set_partner(project, data, actor=None):
    organization = organizations([data["organization_id"]], "organization_id")[0]
    partner = next((p for p in project.partners if p.organization_id == organization.id), None)
    if partner is None:
        partner = ProjectPartner(organization=organization)
        project.partners.append(partner)
    partner.pilot = data.get("pilot", False)
    partner.commitment = data.get("commitment", "")
    record("projects.partner_set", project.id, actor=actor, organization=organization.name, pilot=partner.pilot)
    db.session.commit()
    return partner


#: Stages at which the experiment (service type, period, pilots, targets) is still being prepared.
PREPARING = (IDEA, DESIGN)


def _record_edit(project, actor, changes):
    """Add an "edited" step to the story listing what changed (``changes``: dicts with field, old, new)."""
    event = add_event(project, project.stage, project.stage, actor, "")
    event.kind, event.details = EDITED, {"changes": changes}
    return event


def edit_project(project, data, actor=None, may_change_lead=False):
    """Change a project's title, description, service type or lead; each change joins the story.

    Only the keys present in ``data`` change. The service type is chosen while
    the experiment is prepared (idea or design); targets on indicators of the
    previous type are dropped with it. Only territory admins
    (``may_change_lead``) hand the project to another lead.
    """
    changes = []
    for name in ("title", "summary"):
        if name in data and data[name] != getattr(project, name):
            changes.append({"field": name, "old": getattr(project, name) if name == "title" else None,
                            "new": data[name] if name == "title" else None})
            setattr(project, name, data[name])
    if "service_key" in data and data["service_key"] != project.service_key:
        if project.stage not in PREPARING:
            raise field_error("service_key", lazy_gettext("The service type is chosen before the prototype opens."))
        check_service_key(data["service_key"])
        changes.append({"field": "service_key", "old": project.service_key, "new": data["service_key"]})
        project.service_key = data["service_key"]
        indicators = plugin_host().indicators
        for target in list(project.targets):
            indicator = indicators.get(target.indicator_key)
            if indicator is not None and indicator.service_key not in (None, project.service_key):
                changes.append({"field": "target_removed", "old": target.indicator_key, "new": None})
                project.targets.remove(target)
    if "lead_id" in data and data["lead_id"] != project.lead_id:
        if not may_change_lead:
            raise field_error("lead_id", lazy_gettext("Only territory admins hand a project to another lead."))
        lead = territory_member(data["lead_id"])
        changes.append({"field": "lead", "old": project.lead.name if project.lead else None,
                        "new": lead.name if lead else None})
        project.lead_id = lead.id if lead else None
    if changes:
        _record_edit(project, actor, changes)
        record("projects.edited", project.id, actor=actor, fields=[c["field"] for c in changes])
        db.session.commit()
    return project


def set_experiment(project, data, actor=None):
    """Set the experiment period and which partners pilot the prototype (non-partners join as partners)."""
    if project.stage not in PREPARING:
        raise field_error("_schema", lazy_gettext("The experiment is prepared at the design stage."))
    before_period = _period_text(project.experiment_start, project.experiment_end)
    before_pilots = sorted(o.name for o in pilots(project))
    chosen = {o.id: o for o in organizations(data["pilot_ids"], "pilot_ids")}
    for partner in project.partners:
        partner.pilot = partner.organization_id in chosen
        chosen.pop(partner.organization_id, None)
    for organization in chosen.values():
        project.partners.append(ProjectPartner(organization=organization, pilot=True))
    if data.get("service_key") and data["service_key"] != project.service_key:
        check_service_key(data["service_key"])
        changes_of_service = [{"field": "service_key", "old": project.service_key or "", "new": data["service_key"]}]
        project.service_key = data["service_key"]
    else:
        changes_of_service = []
    project.experiment_start = data["experiment_start"]
    project.experiment_end = data["experiment_end"]
    after_period = _period_text(project.experiment_start, project.experiment_end)
    after_pilots = sorted(o.name for o in pilots(project))
    changes = list(changes_of_service)
    if before_period != after_period:
        changes.append({"field": "experiment", "old": before_period, "new": after_period})
    if before_pilots != after_pilots:
        changes.append({"field": "pilots", "old": before_pilots, "new": after_pilots})
    if changes:
        _record_edit(project, actor, changes)
    record("projects.experiment_set", project.id, actor=actor, start=str(project.experiment_start),
           end=str(project.experiment_end))
    db.session.commit()
    return project


def _period_text(start, end):
    return f"{start.isoformat()}/{end.isoformat()}" if start and end else None


def set_target(project, data, actor=None):
    """Set the value an indicator should reach over the experiment (while the experiment is prepared)."""
    if project.stage not in PREPARING:
        raise field_error("indicator_key", lazy_gettext("Targets are set before the prototype opens."))
    indicator = plugin_host().indicators.get(data["indicator_key"])
    if indicator is None or (project.service_key and indicator.service_key not in (None, project.service_key)):
        raise field_error("indicator_key", lazy_gettext("Choose one of the proposed values."))
    target = next((t for t in project.targets if t.indicator_key == indicator.key), None)
    old = target.target_value if target is not None else None
    if target is None:
        target = ProjectTarget(indicator_key=indicator.key, target_value=data["target_value"])
        project.targets.append(target)
    target.target_value = data["target_value"]
    if old != target.target_value:
        _record_edit(project, actor, [{"field": "target", "indicator": indicator.key, "old": old,
                                       "new": target.target_value}])
    record("projects.target_set", project.id, actor=actor, indicator=indicator.key, value=data["target_value"])
    db.session.commit()
    return target


def remove_target(project, target_id, actor=None):
    """Drop a target while the experiment is prepared; the story keeps it."""
    if project.stage not in PREPARING:
        raise field_error("indicator_key", lazy_gettext("Targets are set before the prototype opens."))
    target = next((t for t in project.targets if t.id == target_id), None)
    if target is None:
        raise field_error("indicator_key", lazy_gettext("Choose one of the proposed values."))
    project.targets.remove(target)
    _record_edit(project, actor, [{"field": "target_removed", "old": target.indicator_key, "new": None}])
    record("projects.target_removed", project.id, actor=actor, indicator=target.indicator_key)
    db.session.commit()


def pilots(project):
    return [p.organization for p in project.partners if p.pilot]


def prototype_problems(project):
    """What still prevents the prototype from opening (empty when ready)."""
    problems = []
    if not project.service_key or project.service_key not in plugin_host().service_types:
        problems.append(lazy_gettext("Choose the service type."))
    if not pilots(project):
        problems.append(lazy_gettext("Choose at least one pilot organization."))
    if not (project.experiment_start and project.experiment_end):
        problems.append(lazy_gettext("Set the experiment period."))
    if not project.targets:
        problems.append(lazy_gettext("Set a target for at least one indicator."))
    return problems


def move(project, to_stage, reason, actor=None, at=None, no_committee_yet=False):
    """Move a project one stage on; opening the prototype enables the module for the pilots only.

    Governance comes first: the prototype opens once the steering committee has a member, or when the
    mover explicitly acknowledges there is no committee yet (written on the project's timeline).
    """
    if to_stage not in MOVES.get(project.stage, ()):
        raise field_error("to_stage", lazy_gettext("A project cannot move from this stage to that one."))
    if to_stage == PROTOTYPE:
        problems = prototype_problems(project)
        if problems:
            raise ValidationError({"_schema": problems})
        if not has_committee():
            if not no_committee_yet:
                raise field_error("no_committee_yet", lazy_gettext(
                    "The steering committee has no member yet: set it up first, or confirm that the "
                    "prototype opens without a committee."))
            acknowledgement = lazy_gettext("Opened without a steering committee (acknowledged).")
            reason = f"{reason} — {acknowledgement}"
        _open_prototype(project)
    if to_stage == EVALUATION:
        _invite_to_survey(project)
    old = project.stage
    project.stage = to_stage
    add_event(project, old, to_stage, actor, reason, at=at)
    record("projects.moved", project.id, actor=actor, old=old, new=to_stage, reason=reason)
    if project.lead_id and (actor is None or actor.id != project.lead_id):
        notify(project.lead_id, _l("The project “%(title)s” moved to the stage: %(stage)s."),
               title=project.title, stage=_stage_label(to_stage))
    db.session.commit()
    return project


def _invite_to_survey(project):
    """Ask everyone who used the prototype (made a request on its module) for their satisfaction."""
    from coopserv.service_requests.models import ServiceRequest
    from coopserv.urls import target

    if project.module_id is None:
        return
    link = target("projects.detail", project_id=project.id)
    users = db.session.scalars(select(ServiceRequest.requester_id).distinct()
                               .where(ServiceRequest.module_id == project.module_id,
                                      ServiceRequest.requester_id.is_not(None)))
    for user_id in users:
        notify(user_id, _l("You used the prototype “%(title)s”: tell us how satisfied you are."), link_to=link,
               title=project.title)


def _stage_label(stage):
    return STAGES[stage]


def _open_prototype(project):
    """Enable the module (keeping a configuration the territory already gave it) for the pilots only."""
    module = modules.get_module(project.service_key)
    if module is None or not module.enabled:
        config = project.module_config or (module.config if module is not None else None)
        module = modules.enable_module(project.service_key, stage=MODULE_PROTOTYPE, config=config)
    modules.update_settings(module, {"stage": MODULE_PROTOTYPE, "access": module.access,
                                     "pilot_organization_ids": [o.id for o in pilots(project)]})
    project.module_id = module.id
    _lead_runs_the_pilot(project, module)


def _lead_runs_the_pilot(project, module):
    """A pilot never opens with nobody to answer: the project's lead becomes the service's first operator.

    Only when the module has no active operator yet; the grant is in the audit log and the admin can
    hand the service to someone else from the members page.
    """
    from coopserv.accounts.models import ACTIVE, SERVICE_OPERATOR, Membership

    if project.lead_id is None or db.session.scalar(
            select(Membership.id).filter_by(role=SERVICE_OPERATOR, module_id=module.id, status=ACTIVE).limit(1)):
        return
    db.session.add(Membership(user_id=project.lead_id, role=SERVICE_OPERATOR, module_id=module.id, status=ACTIVE))
    record("membership.role_granted", project.lead_id, role=SERVICE_OPERATOR, module_id=module.id,
           reason="project_lead_runs_the_pilot")
