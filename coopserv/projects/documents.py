"""The evaluation report as a PDF document (built by a job, see coopserv.documents)."""
from coopserv.documents.services import document
from coopserv.timeutil import local_today

from . import services


def report_context(project):
    """What the report shows, for its page and its PDF."""
    start, end = services.experiment_window(project)
    return {"project": project, "results": services.evaluation(project), "satisfaction": services.satisfaction(project),
            "comments": services.comments(project), "costs": services.cost_sharing(project), "start": start,
            "end": end, "generated_on": local_today()}


@document("projects.report")
def evaluation_report(project_id):
    project = services.get_project(project_id)
    if project is None:
        return None
    return "projects/report_pdf.html", report_context(project), f"evaluation-{project.id}.pdf"
