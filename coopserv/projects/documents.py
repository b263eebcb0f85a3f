"""The evaluation report as a PDF document (built by a job, see coopserv.documents)."""
from coopserv.documents.services import document
from coopserv.timeutil import local_today

from . import services


def report_context(project, read_only=False):
    """What the report shows, for its page and its PDF (``read_only``: see ``services.evaluation``)."""
    from coopserv.governance.models import COLLEGE_LABELS, REASON_LABELS, RESULT_LABELS
    from coopserv.governance.services import items_of_project

    from .models import OUTCOMES

    start, end = services.experiment_window(project)
    satisfaction, comments, _respondents = services.survey_results(project)
    votes = items_of_project(project)  # before the decision, whose vote is one of them
    return {"project": project, "results": services.evaluation(project, read_only), "satisfaction": satisfaction,
            "comments": comments, "costs": services.cost_sharing(project), "start": start,
            "end": end, "generated_on": local_today(), "decision": services.latest_decision(project),
            "votes": votes, "outcomes": OUTCOMES, "vote_results": RESULT_LABELS,
            "vote_reasons": REASON_LABELS, "college_labels": COLLEGE_LABELS}


@document("projects.report")
def evaluation_report(project_id):
    project = services.get_project(project_id, services.REPORT)
    if project is None:
        return None
    return "projects/report_pdf.html", report_context(project), f"evaluation-{project.id}.pdf"
