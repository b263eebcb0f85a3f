"""The one place that writes service projects: stages, the prototype's module, decisions, costs, templates."""
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from coopserv.accounts.models import Membership
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.modules import services as modules
from coopserv.modules.models import PERENNIAL as MODULE_PERENNIAL
from coopserv.modules.models import PROTOTYPE as MODULE_PROTOTYPE
from coopserv.modules.models import STOPPED as MODULE_STOPPED
from coopserv.needs import services as needs
from coopserv.needs.models import ADDRESSED, MERGED, NOT_RETAINED, CollectiveNeed
from coopserv.notifications.services import notify
from coopserv.organizations.models import Organization
from coopserv.plugin_host import plugin_host
from coopserv.territories.models import Territory
from coopserv.timeutil import utcnow

from .models import (
    DECIDED,
    DESIGN,
    EVALUATION,
    IDEA,
    ITERATE,
    MOVES,
    PERENNIAL,
    PROTOTYPE,
    STOPPED,
    ProjectContribution,
    ProjectDecision,
    ProjectEvent,
    ProjectPartner,
    ProjectTarget,
    SatisfactionAnswer,
    ServiceProject,
)

TEMPLATE_FORMAT = "coopserv.project-template/1"
log = logging.getLogger(__name__)


def _error(field, message):
    return ValidationError({field: [message]})


def list_projects():
    return list(db.session.scalars(select(ServiceProject).order_by(ServiceProject.id.desc())))


def get_project(project_id):
    """A project with what its pages show, each collection read once (no query per partner or need)."""
    return db.session.scalar(
        select(ServiceProject).filter_by(id=project_id)
        .options(joinedload(ServiceProject.module), joinedload(ServiceProject.lead),
                 selectinload(ServiceProject.partners).joinedload(ProjectPartner.organization),
                 selectinload(ServiceProject.contributions).joinedload(ProjectContribution.organization),
                 selectinload(ServiceProject.collective_needs).selectinload(CollectiveNeed.needs),
                 selectinload(ServiceProject.targets), selectinload(ServiceProject.events),
                 selectinload(ServiceProject.decisions)))


def _check_service_key(key):
    if key and key not in plugin_host().service_types:
        raise _error("service_key", lazy_gettext("Choose one of the proposed values."))


def _organizations(ids, field):
    ids = set(ids or [])
    found = list(db.session.scalars(select(Organization).where(Organization.id.in_(ids)))) if ids else []
    if len(found) != len(ids):
        raise _error(field, lazy_gettext("Choose organizations of this territory."))
    return found


def _lead(lead_id):
    if lead_id is None:
        return None
    member = db.session.scalar(select(Membership).filter_by(user_id=lead_id).limit(1))
    if member is None:
        raise _error("lead_id", lazy_gettext("Choose a member of this territory."))
    return member.user


def _event(project, from_stage, to_stage, actor, reason, at=None):
    event = ProjectEvent(project=project, from_stage=from_stage, to_stage=to_stage,
                         actor_id=actor.id if actor else None, reason=reason or "", at=at or utcnow())
    db.session.add(event)
    return event


def create_project(data, actor=None, at=None):
    """Create a project at the idea stage from collective needs (their needs become addressed by it)."""
    _check_service_key(data.get("service_key"))
    collectives = []
    if data.get("collective_need_ids"):
        ids = set(data["collective_need_ids"])
        collectives = list(db.session.scalars(select(CollectiveNeed).where(CollectiveNeed.id.in_(ids))))
        if len(collectives) != len(ids):
            raise _error("collective_need_ids", lazy_gettext("Choose collective needs of this territory."))
    partners = _organizations(data.get("partner_ids"), "partner_ids")
    lead = _lead(data.get("lead_id"))
    project = ServiceProject(title=data["title"], summary=data.get("summary", ""),
                             origin_text=data.get("origin_text", ""), service_key=data.get("service_key"),
                             lead_id=lead.id if lead else (actor.id if actor else None),
                             collective_needs=collectives, stage=IDEA, module_config=data.get("module_config") or {})
    if at is not None:
        project.created_at = at
    for organization in partners:
        project.partners.append(ProjectPartner(organization=organization))
    db.session.add(project)
    _event(project, None, IDEA, actor, data.get("origin_text") or "", at=at)
    db.session.flush()
    record("projects.created", project.id, actor=actor, title=project.title)
    db.session.commit()
    for collective in collectives:
        for need in collective.needs:
            if need.status not in (MERGED, NOT_RETAINED, ADDRESSED):
                needs.set_status(need, ADDRESSED, project=project, actor=actor)
    return project


def can_move(project, user, is_admin):
    """Only the project's lead and territory admins move a project."""
    return is_admin or (user is not None and project.lead_id == user.id)


def set_partner(project, data, actor=None):
    organization = _organizations([data["organization_id"]], "organization_id")[0]
    partner = next((p for p in project.partners if p.organization_id == organization.id), None)
    if partner is None:
        partner = ProjectPartner(organization=organization)
        project.partners.append(partner)
    partner.pilot = data.get("pilot", False)
    partner.commitment = data.get("commitment", "")
    record("projects.partner_set", project.id, actor=actor, organization=organization.name, pilot=partner.pilot)
    db.session.commit()
    return partner


def set_experiment(project, data, actor=None):
    """Set the experiment period and which partners pilot the prototype (non-partners join as partners)."""
    if project.stage not in (IDEA, DESIGN):
        raise _error("_schema", lazy_gettext("The experiment is prepared at the design stage."))
    pilots = {o.id: o for o in _organizations(data["pilot_ids"], "pilot_ids")}
    for partner in project.partners:
        partner.pilot = partner.organization_id in pilots
        pilots.pop(partner.organization_id, None)
    for organization in pilots.values():
        project.partners.append(ProjectPartner(organization=organization, pilot=True))
    project.experiment_start = data["experiment_start"]
    project.experiment_end = data["experiment_end"]
    record("projects.experiment_set", project.id, actor=actor, start=str(project.experiment_start),
           end=str(project.experiment_end))
    db.session.commit()
    return project


def set_target(project, data, actor=None):
    indicator = plugin_host().indicators.get(data["indicator_key"])
    if indicator is None or (project.service_key and indicator.service_key not in (None, project.service_key)):
        raise _error("indicator_key", lazy_gettext("Choose one of the proposed values."))
    target = next((t for t in project.targets if t.indicator_key == indicator.key), None)
    if target is None:
        target = ProjectTarget(indicator_key=indicator.key, target_value=data["target_value"])
        project.targets.append(target)
    target.target_value = data["target_value"]
    record("projects.target_set", project.id, actor=actor, indicator=indicator.key, value=data["target_value"])
    db.session.commit()
    return target


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


def move(project, to_stage, reason, actor=None, at=None):
    """Move a project one stage on; opening the prototype enables the module for the pilots only."""
    if to_stage not in MOVES.get(project.stage, ()):
        raise _error("to_stage", lazy_gettext("A project cannot move from this stage to that one."))
    if to_stage == PROTOTYPE:
        problems = prototype_problems(project)
        if problems:
            raise ValidationError({"_schema": problems})
        _open_prototype(project)
    if to_stage == EVALUATION:
        _invite_to_survey(project)
    old = project.stage
    project.stage = to_stage
    _event(project, old, to_stage, actor, reason, at=at)
    record("projects.moved", project.id, actor=actor, old=old, new=to_stage, reason=reason)
    if project.lead_id and (actor is None or actor.id != project.lead_id):
        notify(project.lead_id, _l("The project “%(title)s” moved to the stage: %(stage)s."),
               title=project.title, stage=_stage_label(to_stage))
    db.session.commit()
    return project


def _invite_to_survey(project):
    """Ask everyone who used the prototype (made a request on its module) for their satisfaction."""
    from flask import has_request_context, url_for

    from coopserv.service_requests.models import ServiceRequest

    if project.module_id is None:
        return
    link = url_for("projects.detail", project_id=project.id) if has_request_context() else ""
    users = db.session.scalars(select(ServiceRequest.requester_id).distinct()
                               .where(ServiceRequest.module_id == project.module_id,
                                      ServiceRequest.requester_id.is_not(None)))
    for user_id in users:
        notify(user_id, _l("You used the prototype “%(title)s”: tell us how satisfied you are."), link=link,
               title=project.title)


def _stage_label(stage):
    from .models import STAGES

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


def record_decision(project, outcome, votes, note, actor=None, decided_on=None):
    """Apply a committee decision on an evaluated project and change its module's stage.

    Governance calls this once a vote is counted: ``votes`` is a dict with
    ``for``, ``against`` and ``abstain`` counts. Perennial opens the module to
    every organization; stopped disables it (its history stays); iterate takes
    the project back to design with the module left as it is.
    """
    if project.stage != EVALUATION:
        raise _error("outcome", lazy_gettext("A decision is taken on a project in evaluation."))
    if outcome not in (PERENNIAL, ITERATE, STOPPED):
        raise _error("outcome", lazy_gettext("Choose one of the proposed values."))
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
    _event(project, old, project.stage, actor, note, at=at)
    record("projects.decided", project.id, actor=actor, outcome=outcome, votes=votes)
    if project.lead_id:
        notify(project.lead_id, _l("The committee decided on the project “%(title)s”: %(outcome)s."),
               title=project.title, outcome=_outcome_label(outcome))
    db.session.commit()
    return decision


def _outcome_label(outcome):
    from .models import OUTCOMES

    return OUTCOMES[outcome]


# -- evaluation ----------------------------------------------------------------
def experiment_window(project):
    """The experiment as datetimes [start, end) for indicators; defaults to the last 90 days."""
    if project.experiment_start and project.experiment_end:
        return (datetime.combine(project.experiment_start, time()),
                datetime.combine(project.experiment_end + timedelta(days=1), time()))
    end = utcnow()
    return end - timedelta(days=90), end


@dataclass
class TargetResult:
    target: ProjectTarget
    indicator: object
    measured: float | None

    @property
    def reached(self):
        return self.measured is not None and self.measured >= self.target.target_value


def evaluation(project):
    """Each target against the value measured over the experiment, through the indicator itself.

    Every target is measured inside one savepoint; only if one of them fails
    are they measured again one by one, so that a plugin's failing indicator
    shows as "not measured" without hiding the others.
    """
    host = plugin_host()
    start, end = experiment_window(project)
    pairs = [(target, host.indicators.get(target.indicator_key)) for target in project.targets]
    measurable = [(target, indicator) for target, indicator in pairs
                  if indicator is not None and project.module is not None]
    measured = {}
    try:
        with db.session.begin_nested():
            for target, indicator in measurable:
                measured[target.id] = _measure_value(indicator, project.module, start, end)
    except Exception:  # one plugin failed: measure each on its own
        measured = {target.id: _measure(indicator, project.module, start, end) for target, indicator in measurable}
    return [TargetResult(target, indicator, measured.get(target.id)) for target, indicator in pairs]


def _measure_value(indicator, module, start, end):
    from coopserv.indicators.services import measure

    return measure(indicator, module, start, end)


def _measure(indicator, module, start, end):
    """Compute one indicator; a plugin's failing indicator shows as "not measured" instead of breaking the page."""
    try:
        with db.session.begin_nested():
            return _measure_value(indicator, module, start, end)
    except Exception:  # a plugin's bug must not hide the rest of the evaluation
        log.exception("Indicator %s failed for module %s", indicator.key, module.id)
        return None


def satisfaction(project):
    """(average score rounded to one decimal or None, number of answers)."""
    average, count = db.session.execute(
        select(func.avg(SatisfactionAnswer.score), func.count(SatisfactionAnswer.id)).filter_by(project_id=project.id)
    ).one()
    return (round(float(average), 1) if average is not None else None), count


def survey_results(project):
    """((average, number of answers), comments, ids of the people who answered), in one query."""
    rows = db.session.execute(select(SatisfactionAnswer.score, SatisfactionAnswer.comment, SatisfactionAnswer.user_id)
                              .filter_by(project_id=project.id).order_by(SatisfactionAnswer.id)).all()
    scores = [score for score, _comment, _user in rows]
    average = round(sum(scores) / len(scores), 1) if scores else None
    return (average, len(scores)), [comment for _score, comment, _user in rows if comment], \
        {user_id for _score, _comment, user_id in rows if user_id is not None}


def may_answer_survey(project, organization):
    """Users of the prototype (employees of a pilot organization) answer while it runs or is evaluated."""
    return project.stage in (PROTOTYPE, EVALUATION) and organization is not None and \
        organization.id in {o.id for o in pilots(project)}


def submit_satisfaction(project, user, organization, data):
    if not may_answer_survey(project, organization):
        raise _error("_schema", lazy_gettext("This survey is for the users of the prototype."))
    existing = db.session.scalar(select(SatisfactionAnswer).filter_by(project_id=project.id, user_id=user.id))
    if existing is not None:
        raise _error("_schema", lazy_gettext("You have already answered this survey."))
    answer = SatisfactionAnswer(project_id=project.id, user_id=user.id, score=data["score"],
                                comment=data.get("comment", ""))
    db.session.add(answer)
    db.session.commit()
    return answer


def comments(project):
    return [c for c in db.session.scalars(select(SatisfactionAnswer.comment).filter_by(project_id=project.id)
                                          .order_by(SatisfactionAnswer.id)) if c]


# -- cost sharing ------------------------------------------------------------------
def add_contribution(project, data, actor=None):
    organization = _organizations([data["organization_id"]], "organization_id")[0]
    contribution = ProjectContribution(organization=organization, period=data["period"], kind=data["kind"],
                                       amount=data["amount"], note=data.get("note", ""))
    project.contributions.append(contribution)
    record("projects.contribution_added", project.id, actor=actor, organization=organization.name,
           kind=data["kind"], amount=str(data["amount"]), period=data["period"])
    db.session.commit()
    return contribution


def set_cost_key(project, data, actor=None):
    project.running_cost = data["running_cost"]
    project.public_share = data["public_share"]
    record("projects.cost_key_set", project.id, actor=actor, **data)
    db.session.commit()
    return project


def is_public(organization):
    return organization.kind == "local_authority"


def cost_sharing(project):
    """Contributions per period and partner, and the running cost split by the public/private key."""
    periods = {}
    for contribution in project.contributions:
        rows = periods.setdefault(contribution.period, {})
        row = rows.setdefault(contribution.organization_id, {"organization": contribution.organization,
                                                             "money": Decimal(0), "staff_days": Decimal(0),
                                                             "premises": []})
        if contribution.kind == "premises":
            row["premises"].append(contribution.note or str(contribution.amount))
        else:
            row[contribution.kind] += Decimal(contribution.amount)
    partners = [p.organization for p in project.partners]
    public = [o for o in partners if is_public(o)]
    private = [o for o in partners if not is_public(o)]
    public_total = Decimal(project.running_cost) * project.public_share / 100
    private_total = Decimal(project.running_cost) - public_total
    shares = []
    for group, total in ((public, public_total), (private, private_total)):
        for organization in group:
            shares.append((organization, (total / len(group)).quantize(Decimal("0.01"))))
    uses = uses_over_last_year(project)
    per_use = (Decimal(project.running_cost) / uses).quantize(Decimal("0.01")) if uses else None
    return {"periods": sorted(periods.items()), "public_total": public_total.quantize(Decimal("0.01")),
            "uses": uses, "per_use": per_use,
            "private_total": private_total.quantize(Decimal("0.01")), "shares": shares,
            "unassigned_public": not public and public_total > 0, "unassigned_private": not private and private_total > 0}


def uses_over_last_year(project):
    """Requests made to the project's module over the last 365 days (one query), to price one use."""
    from coopserv.service_requests.models import ServiceRequest

    if project.module_id is None:
        return 0
    from coopserv.indicators.services import month_start, next_month
    from coopserv.rollups.services import request_count_since

    # Whole months from the rollup, plus the days of the first month from the rows (at most a month of them).
    since = utcnow() - timedelta(days=365)
    first_full_month = next_month(month_start(since.date()))
    partial = db.session.scalar(
        select(func.count(ServiceRequest.id)).where(
            ServiceRequest.module_id == project.module_id, ServiceRequest.created_at >= since,
            ServiceRequest.created_at < datetime.combine(first_full_month, time()))) or 0
    return partial + request_count_since(project.module_id, first_full_month)


# -- the story ------------------------------------------------------------------------
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


# -- replication ("essaimage") ----------------------------------------------------------
def export_template(project):
    """Describe a perennial project for another territory: configuration, targets, evaluation; nobody named."""
    if project.outcome != PERENNIAL:
        raise _error("_schema", lazy_gettext("Only a perennial service is replicated."))
    average, answers = satisfaction(project)
    decision = project.decisions[-1] if project.decisions else None
    return {
        "format": TEMPLATE_FORMAT,
        "title": project.title,
        "summary": project.summary,
        "service_key": project.service_key,
        "module_config": dict(project.module.config) if project.module else dict(project.module_config or {}),
        "indicator_targets": [{"indicator": t.indicator_key, "target": t.target_value} for t in project.targets],
        "evaluation": {
            "experiment_days": (project.experiment_end - project.experiment_start).days + 1
            if project.experiment_start and project.experiment_end else None,
            "pilot_organizations": len(pilots(project)),
            "results": [{"indicator": r.target.indicator_key, "target": r.target.target_value, "measured": r.measured}
                        for r in evaluation(project)],
            "satisfaction": {"average": average, "answers": answers},
            "decision": {"outcome": decision.outcome, "date": decision.decided_on.isoformat(),
                         "for": decision.votes_for, "against": decision.votes_against,
                         "abstain": decision.votes_abstain} if decision else None,
        },
        "running_cost": project.running_cost,
        "public_share": project.public_share,
        "source_territory": db.session.get(Territory, project.territory_id).name,
    }


def import_template(data, actor=None):
    """Start a project at the design stage in the current territory from a validated template."""
    if data["service_key"] not in plugin_host().service_types:
        raise _error("service_key", lazy_gettext("This service type is not installed here."))
    known = plugin_host().indicators
    unknown = [t["indicator"] for t in data.get("indicator_targets", []) if t["indicator"] not in known]
    if unknown:
        raise _error("indicator_targets", lazy_gettext("Unknown indicators: %(keys)s", keys=", ".join(unknown)))
    modules.validate_config(data["service_key"], data.get("module_config") or {})
    origin = lazy_gettext("Replicated from the perennial service of %(territory)s.",
                          territory=data.get("source_territory") or "?")
    project = create_project({"title": data["title"], "summary": data.get("summary", ""), "origin_text": str(origin),
                              "service_key": data["service_key"], "module_config": data.get("module_config") or {}},
                             actor=actor)
    for target in data.get("indicator_targets", []):
        project.targets.append(ProjectTarget(indicator_key=target["indicator"], target_value=target["target"]))
    project.running_cost = data.get("running_cost", 0)
    project.public_share = data.get("public_share", 50)
    project.stage = DESIGN
    _event(project, IDEA, DESIGN, actor, str(origin))
    record("projects.imported", project.id, actor=actor, source=data.get("source_territory", ""))
    db.session.commit()
    return project



# -- demo -------------------------------------------------------------------------------
#: slug -> (title, summary, service key, pilot names, partner names, stage to reach, outcome).
DEMO_PROJECTS = {
    "figeac": ("Conciergerie d'entreprises du Grand-Figeac",
               "Pressing, retouches et paniers locaux déposés sur la ZA de l'Aiguille.", "concierge",
               ["Figeac Aéro"], ["Figeac Aéro", "Ratier-Figeac", "Grand-Figeac"], DECIDED, PERENNIAL),
    "ouest-rhodanien": ("Covoiturage domicile-travail de la vallée de la Turdine",
                        "Des équipages entre Tarare et les ZA, avec un retour garanti.", "mobility",
                        ["Textiles de Tarare", "Plasturgie Val de Turdine"],
                        ["Textiles de Tarare", "Plasturgie Val de Turdine", "Communauté de l'Ouest Rhodanien"],
                        PROTOTYPE, None),
    "autun-morvan": ("Formation IoT des techniciens", "Des modules courts sur les capteurs pour l'industrie locale.",
                     "iot_training", ["Nexans Autun", "Morvan Électronique"],
                     ["Nexans Autun", "Morvan Électronique", "Grand Autunois Morvan"], EVALUATION, None),
    "grand-quercy": ("Micro-crèche inter-entreprises du Mas de Jouy",
                     "Des places aux horaires des équipes de la ZA.", "childminder_house", [],
                     ["Conserverie du Quercy", "Bouriane Bâtiment", "Communauté de communes Quercy-Bouriane"],
                     DESIGN, None),
}


def seed_demo(territory, organizations, users):
    """One project per demo territory, each at a different stage (needs first for Grand Quercy)."""
    from coopserv.accounts.models import COMPANY_REFERENT, EMPLOYEE
    from coopserv.accounts.services import create_user

    spec = DEMO_PROJECTS.get(territory.slug)
    if spec is None:
        return None
    title, summary, key, pilot_names, partner_names, goal, outcome = spec
    admin = users["admin"]
    collectives = []
    if territory.slug == "grand-quercy":
        people = {}
        for name in ("Conserverie du Quercy", "Bouriane Bâtiment"):
            handle = "bouriane" if name == "Bouriane Bâtiment" else "conserverie"
            if name == "Conserverie du Quercy":
                people[name] = (users["referent"], users["employee"])
                continue
            referent = create_user(f"Référent {name}", f"referent-{handle}@{territory.slug}.demo", "coopserv-demo")
            employee = create_user(f"Salarié {name}", f"employee-{handle}@{territory.slug}.demo", "coopserv-demo")
            organization = organizations[name]
            db.session.add_all([Membership(user_id=referent.id, role=COMPANY_REFERENT, organization_id=organization.id),
                                Membership(user_id=referent.id, role=EMPLOYEE, organization_id=organization.id),
                                Membership(user_id=employee.id, role=EMPLOYEE, organization_id=organization.id)])
            db.session.commit()
            people[name] = (referent, employee)
        collectives = [needs.seed_demo_needs(organizations, users, people)]
    installed = key in plugin_host().service_types
    start = utcnow() - timedelta(days=200)
    project = create_project({"title": title, "summary": summary, "service_key": key if installed else None,
                              "collective_need_ids": [c.id for c in collectives],
                              "origin_text": "" if collectives else "Rencontre des dirigeants du territoire",
                              "partner_ids": [organizations[n].id for n in partner_names]}, actor=admin, at=start)
    if goal == IDEA:
        return project
    move(project, DESIGN, "Le comité de pilotage lance l'étude de faisabilité.", admin, at=start + timedelta(days=20))
    if goal == DESIGN or not installed:
        return project
    experiment_start = (start + timedelta(days=60)).date()
    set_experiment(project, {"experiment_start": experiment_start,
                             "experiment_end": experiment_start + timedelta(days=120),
                             "pilot_ids": [organizations[n].id for n in pilot_names]}, admin)
    for indicator_key in [k for k, i in plugin_host().indicators.items() if i.service_key == key][:2]:
        set_target(project, {"indicator_key": indicator_key, "target_value": 20}, admin)
    set_cost_key(project, {"running_cost": 30000, "public_share": 40}, admin)
    public = next((n for n in partner_names if organizations[n].kind == "local_authority"), partner_names[0])
    add_contribution(project, {"organization_id": organizations[public].id, "period": str(experiment_start.year),
                               "kind": "money", "amount": Decimal(12000), "note": ""}, admin)
    add_contribution(project, {"organization_id": organizations[pilot_names[0]].id,
                               "period": str(experiment_start.year), "kind": "staff_days", "amount": Decimal(15),
                               "note": "Référente RH"}, admin)
    move(project, PROTOTYPE, "Partenaires, période d'essai et objectifs fixés.", admin,
         at=start + timedelta(days=55))
    if goal == PROTOTYPE:
        return project
    move(project, EVALUATION, "Fin de la période d'essai.", admin, at=start + timedelta(days=185))
    employee_org = organizations[pilot_names[0]]
    submit_satisfaction(project, users["employee"], employee_org, {"score": 4, "comment": "Pratique et fiable."})
    if goal == EVALUATION:
        return project
    record_decision(project, outcome, {"for": 9, "against": 1, "abstain": 2},
                    "Le service répond au besoin : il est ouvert à toutes les entreprises.", admin,
                    decided_on=(start + timedelta(days=195)).date())
    return project
