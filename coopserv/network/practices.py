"""The practices library: a territory publishes a project as an experience sheet; others search and replicate it."""
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.governance.models import RISK_CATEGORIES, Risk
from coopserv.plugin_host import plugin_host
from coopserv.projects import services as projects
from coopserv.projects.models import DECIDED, EVALUATION, OUTCOMES, PERENNIAL, STAGES
from coopserv.projects.schemas import ProjectTemplateSchema
from coopserv.territories.models import Territory
from coopserv.timeutil import utcnow

from .models import NetworkTerritory, PracticeReplication, PracticeSheet

#: A project is told once there is something to tell: measured results and, often, a decision.
PUBLISHABLE_STAGES = (EVALUATION, DECIDED)


def get_sheet(sheet_id, network_ids):
    """A sheet of one of ``network_ids`` (the reader's networks), else None."""
    if not network_ids:
        return None
    return db.session.scalar(select(PracticeSheet).where(PracticeSheet.id == sheet_id,
                                                         PracticeSheet.network_id.in_(list(network_ids))))


def sheet_for_project(project):
    return db.session.scalar(select(PracticeSheet).filter_by(source_project_id=project.id))


def search(network_ids, query="", service_key=None, limit=20, offset=0):
    """(sheets, total) of the networks' library matching every word of ``query``, newest first."""
    if not network_ids:
        return [], 0
    statement = select(PracticeSheet).where(PracticeSheet.network_id.in_(list(network_ids)))
    for word in (query or "").lower().split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(PracticeSheet.search_text.like(f"%{escaped}%", escape="\\"))
    if service_key:
        statement = statement.where(PracticeSheet.service_key == service_key)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    sheets = db.session.scalars(statement.options(selectinload(PracticeSheet.source_territory)).order_by(PracticeSheet.updated_at.desc(), PracticeSheet.id.desc())
                                .limit(limit).offset(offset)).all()
    return sheets, total


def replication_counts(sheet_ids):
    if not sheet_ids:
        return {}
    return dict(db.session.execute(select(PracticeReplication.sheet_id, func.count(PracticeReplication.id))
                                   .where(PracticeReplication.sheet_id.in_(list(sheet_ids)))
                                   .group_by(PracticeReplication.sheet_id)).all())


def replications(sheet):
    return list(db.session.scalars(select(PracticeReplication).filter_by(sheet_id=sheet.id)
                                   .options(selectinload(PracticeReplication.territory))
                                   .order_by(PracticeReplication.id)))


def territory_risks():
    """The current territory's "what happens if" register, to pick the risks a project met."""
    return list(db.session.scalars(select(Risk).order_by(Risk.id)))


def defaults(project):
    """Sheet text drawn from the project, for the publishing territory to edit."""
    host = plugin_host()
    kind = host.service_types.get(project.service_key) if project.service_key else None
    needs = [c.title for c in project.collective_needs]
    partners = [f"{p.organization.name}" + (f" ({_('pilot')})" if p.pilot else "")
                + (f" — {p.commitment}" if p.commitment else "") for p in project.partners]
    costs = projects.cost_sharing(project)
    cost_lines = [_("Yearly running cost: %(cost)s €, %(share)s %% paid by public partners.",
                    cost=project.running_cost, share=project.public_share)]
    if costs["per_use"] is not None:
        cost_lines.append(_("Cost per use over the last year: %(cost)s €.", cost=costs["per_use"]))
    return {
        "context": "\n".join(part for part in (project.summary, project.origin_text) if part),
        "need": "\n".join(needs) if needs else project.origin_text,
        "service": (_(kind.label) + (" — " + _(kind.description) if kind.description else "")) if kind else "",
        "partners": "\n".join(partners),
        "costs": "\n".join(cost_lines),
        "lessons": "",
        "risk_ids": [],
    }


def results_of(project, read_only=False):
    """Targets against what was measured over the experiment, as stored on the sheet (``read_only``: see
    ``coopserv.projects.services.evaluation``)."""
    rows = []
    for result in projects.evaluation(project, read_only):
        indicator = result.indicator
        rows.append({"indicator": result.target.indicator_key,
                     "label": str(_(indicator.label)) if indicator else result.target.indicator_key,
                     "unit": str(_(indicator.unit)) if indicator else "",
                     "target": result.target.target_value, "measured": result.measured, "reached": result.reached})
    return rows


def publish(project, network, data, actor=None):
    """Publish (or update) the project's sheet in a network its territory belongs to."""
    if project.stage not in PUBLISHABLE_STAGES:
        raise ValidationError({"_schema": [_("A project is shared once it is evaluated or decided.")]})
    if db.session.scalar(select(NetworkTerritory.id).filter_by(network_id=network.id,
                                                               territory_id=project.territory_id)) is None:
        raise ValidationError({"network_id": [_("Choose a network this territory belongs to.")]})
    chosen = set(data.get("risk_ids") or [])
    risks = [r for r in territory_risks() if r.id in chosen]
    if len(risks) != len(chosen):
        raise ValidationError({"risk_ids": [_("Choose risks of this territory's register.")]})
    territory = db.session.get(Territory, project.territory_id)
    sheet = sheet_for_project(project)
    if sheet is None:
        sheet = PracticeSheet(network_id=network.id, source_territory_id=project.territory_id,
                              source_project_id=project.id, published_by_id=actor.id if actor else None)
        db.session.add(sheet)
    sheet.network_id = network.id
    sheet.title = project.title
    sheet.service_key = project.service_key
    sheet.stage, sheet.outcome = project.stage, project.outcome
    for name in ("context", "need", "service", "partners", "costs", "lessons"):
        setattr(sheet, name, data.get(name, ""))
    sheet.running_cost, sheet.public_share = project.running_cost, project.public_share
    sheet.results = results_of(project)
    sheet.risks = [{"title": r.title, "category": r.category, "mitigation": r.mitigation} for r in risks]
    sheet.template = projects.export_template(project) if project.outcome == PERENNIAL else None
    sheet.search_text = " ".join([project.title, sheet.service, sheet.context, sheet.need, sheet.partners,
                                  sheet.lessons, territory.name, territory.region,
                                  " ".join(r["title"] for r in sheet.risks)]).lower()
    sheet.updated_at = utcnow()
    record("practice.published", project.id, actor=actor, network=network.slug)
    db.session.commit()
    return sheet


def replicate(sheet, territory, actor=None):
    """Start a project in ``territory`` (in scope) from the sheet's template, in one step."""
    if sheet.template is None:
        raise ValidationError({"_schema": [_("Only a service made perennial can be replicated.")]})
    if sheet.source_territory_id == territory.id:
        raise ValidationError({"_schema": [_("This practice comes from your own territory.")]})
    try:
        project = projects.import_template(ProjectTemplateSchema().load(sheet.template), actor)
    except ValidationError as error:
        db.session.rollback()
        messages = [f"{field}: {m}" for field, msgs in error.messages.items()
                    for m in (msgs if isinstance(msgs, list) else [msgs])]
        raise ValidationError({"_schema": [_("This practice cannot be replicated here: %(why)s",
                                             why="; ".join(map(str, messages)))]}) from None
    db.session.add(PracticeReplication(sheet_id=sheet.id, territory_id=territory.id, project_id=project.id,
                                       replicated_by_id=actor.id if actor else None))
    record("practice.replicated", sheet.id, actor=actor, project=project.id)
    db.session.commit()
    return project


def labels():
    return {"stages": STAGES, "outcomes": OUTCOMES, "risk_categories": RISK_CATEGORIES}


def searchable_services(network_ids):
    """Service keys present in the library (for the search filter)."""
    if not network_ids:
        return []
    return [k for k in db.session.scalars(select(PracticeSheet.service_key).distinct()
                                          .where(PracticeSheet.network_id.in_(list(network_ids)),
                                                 PracticeSheet.service_key.is_not(None))
                                          .order_by(PracticeSheet.service_key)) if k]

