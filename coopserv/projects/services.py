"""The one place that writes service projects, split by responsibility; this module names it all.

Stages live in ``stages``, committee decisions in ``decisions``, evaluation and
costs in ``evaluation``, the story in ``history``, replication between
territories in ``replication``. Callers outside the package import from here so
the split stays an internal matter.
"""
from .base import REPORT, SHEET, STORY, find_project, get_project, list_projects
from .decisions import apply_vote
from .evaluation import (
    TargetResult,
    add_contribution,
    comments,
    cost_sharing,
    evaluation,
    evaluation_with,
    experiment_window,
    is_public,
    may_answer_survey,
    satisfaction,
    set_cost_key,
    submit_satisfaction,
    survey_results,
    uses_expression,
    uses_over_last_year,
)
from .history import latest_decision, timeline
from .replication import TEMPLATE_FORMAT, export_template, import_template
from .stages import (
    can_move,
    create_project,
    default_experiment_period,
    edit_project,
    has_committee,
    has_committee_expression,
    launch_from_collective,
    launch_from_need,
    move,
    pilots,
    prototype_problems,
    remove_target,
    set_experiment,
    set_partner,
    set_target,
)

__all__ = [
    "REPORT", "SHEET", "STORY", "TEMPLATE_FORMAT", "TargetResult", "add_contribution", "can_move", "comments", "cost_sharing", "create_project",
    "default_experiment_period", "edit_project", "has_committee", "has_committee_expression", "launch_from_collective", "launch_from_need", "remove_target",
    "evaluation", "evaluation_with", "experiment_window", "export_template", "find_project", "get_project", "import_template", "is_public",
    "apply_vote", "latest_decision", "list_projects", "may_answer_survey", "move", "pilots", "prototype_problems",
    "satisfaction", "set_cost_key", "set_experiment", "set_partner", "set_target", "submit_satisfaction", "survey_results",
    "timeline", "uses_expression", "uses_over_last_year",
]
