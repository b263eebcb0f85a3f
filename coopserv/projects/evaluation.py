"""Evaluation of a project against its targets, its users' satisfaction, and how its costs are shared."""
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext
from sqlalchemy import func, literal, select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.plugin_host import plugin_host
from coopserv.timeutil import utcnow

from .base import field_error, organizations
from .models import EVALUATION, PROTOTYPE, ProjectContribution, ProjectTarget, SatisfactionAnswer
from .stages import pilots

log = logging.getLogger(__name__)


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


def evaluation(project, read_only=False):
    """Each target against the value measured over the experiment (see ``evaluation_with``)."""
    return evaluation_with(project, read_only=read_only)[0]


def evaluation_with(project, also=None, read_only=False):
    """(each target against its measure over the experiment, the values of ``also``), in one statement.

    The targets' indicators are read together (``coopserv.indicators.batch``):
    one statement for all those written as SQL, with the page's own one-row
    reads ``also`` ({name: SQL expression}); an indicator only a plugin's
    ``compute`` can say costs its computation. Every target is measured inside
    one savepoint; only if one of them fails are they measured again one by
    one, so that a plugin's failing indicator shows as "not measured" without
    hiding the others. ``read_only`` pages (the caller has written nothing in
    this transaction) skip that savepoint, two statements less: on a failure
    their transaction is rolled back instead (a failed statement ends it on
    PostgreSQL), losing nothing.
    """
    from coopserv.indicators.batch import Asked, measure_many, read_together

    host = plugin_host()
    start, end = experiment_window(project)
    pairs = [(target, host.indicators.get(target.indicator_key)) for target in project.targets]
    # A service's indicator needs the project's module; the territory's own (the core's, the
    # committee's) measure the experiment period whatever the module.
    measurable = [(target, indicator) for target, indicator in pairs
                  if indicator is not None and (indicator.service_key is None or project.module is not None)]
    asked = [Asked(indicator, project.module, start, end)
             for _target, indicator in measurable]
    try:
        with nullcontext() if read_only else db.session.begin_nested():
            figures, values = measure_many(asked, also)
    except Exception:  # one plugin failed: measure each on its own
        if read_only:
            db.session.rollback()
        figures = [_measure(indicator, project.module, start, end) for _target, indicator in measurable]
        values = read_together([], also)[1]
    measured = {target.id: figure for (target, _indicator), figure in zip(measurable, figures)}
    return [TargetResult(target, indicator, measured.get(target.id)) for target, indicator in pairs], values


def _measure_value(indicator, module, start, end):
    from coopserv.indicators.services import measure

    return measure(indicator, module, start, end)


def _measure(indicator, module, start, end):
    """Compute one indicator; a plugin's failing indicator shows as "not measured" instead of breaking the page."""
    try:
        with db.session.begin_nested():
            return _measure_value(indicator, module, start, end)
    except Exception:  # a plugin's bug must not hide the rest of the evaluation
        log.exception("Indicator %s failed for module %s", indicator.key, getattr(module, "id", None))
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
        raise field_error("_schema", lazy_gettext("This survey is for the users of the prototype."))
    existing = db.session.scalar(select(SatisfactionAnswer).filter_by(project_id=project.id, user_id=user.id))
    if existing is not None:
        raise field_error("_schema", lazy_gettext("You have already answered this survey."))
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
    organization = organizations([data["organization_id"]], "organization_id")[0]
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


def cost_sharing(project, uses=None):
    """Contributions per period and partner, and the running cost split by the public/private key.

    ``uses`` is the number of uses over the last year when the page read it already (``uses_expression``).
    """
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
    uses = uses_over_last_year(project) if uses is None else uses
    per_use = (Decimal(project.running_cost) / uses).quantize(Decimal("0.01")) if uses else None
    return {"periods": sorted(periods.items()), "public_total": public_total.quantize(Decimal("0.01")),
            "uses": uses, "per_use": per_use,
            "private_total": private_total.quantize(Decimal("0.01")), "shares": shares,
            "unassigned_public": not public and public_total > 0, "unassigned_private": not private and private_total > 0}


def uses_over_last_year(project):
    """Requests made to the project's module over the last 365 days, to price one use (the rollup and one query)."""
    if project.module_id is None:
        return 0
    return db.session.scalar(select(uses_expression(project))) or 0


def uses_expression(project):
    """``uses_over_last_year`` as one SQL expression, for a page reading it beside other figures."""
    from coopserv.service_requests.models import ServiceRequest

    if project.module_id is None:
        return literal(0)
    from coopserv.indicators.services import month_start, next_month
    from coopserv.rollups.services import request_count_since_query

    # Whole months from the rollup, plus the days of the first month from the rows (at most a month of them),
    # added up in one statement.
    since = utcnow() - timedelta(days=365)
    first_full_month = next_month(month_start(since.date()))
    partial = select(func.count(ServiceRequest.id)).where(
        ServiceRequest.module_id == project.module_id, ServiceRequest.created_at >= since,
        ServiceRequest.created_at < datetime.combine(first_full_month, time())).scalar_subquery()
    whole = request_count_since_query(project.module_id, first_full_month).scalar_subquery()
    return func.coalesce(partial, 0) + func.coalesce(whole, 0)
