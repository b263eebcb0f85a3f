"""Replication ("essaimage"): a perennial project exported as a template and started again elsewhere."""
from flask_babel import lazy_gettext

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.modules import services as modules
from coopserv.plugin_host import plugin_host
from coopserv.territories.models import Territory

from .base import add_event, field_error
from .evaluation import evaluation, pilots, satisfaction
from .models import DESIGN, IDEA, PERENNIAL, ProjectTarget
from .stages import create_project

TEMPLATE_FORMAT = "coopserv.project-template/1"


def export_template(project):
    """Describe a perennial project for another territory: configuration, targets, evaluation; nobody named."""
    if project.outcome != PERENNIAL:
        raise field_error("_schema", lazy_gettext("Only a perennial service is replicated."))
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
        raise field_error("service_key", lazy_gettext("This service type is not installed here."))
    known = plugin_host().indicators
    unknown = [t["indicator"] for t in data.get("indicator_targets", []) if t["indicator"] not in known]
    if unknown:
        raise field_error("indicator_targets", lazy_gettext("Unknown indicators: %(keys)s", keys=", ".join(unknown)))
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
    add_event(project, IDEA, DESIGN, actor, str(origin))
    record("projects.imported", project.id, actor=actor, source=data.get("source_territory", ""))
    db.session.commit()
    return project
