"""PDF documents built by a job, read back as text: minutes, evaluation report; 202 while a worker builds."""
import io
from datetime import datetime

from pypdf import PdfReader
from sqlalchemy import func, select

from coopserv.documents.models import StoredDocument
from coopserv.extensions import db
from coopserv.governance import services
from coopserv.tenancy import ALL_TERRITORIES


def pdf_text(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)


def _documents():
    return db.session.scalar(select(func.count(StoredDocument.id)).execution_options(**{ALL_TERRITORIES: True}))


def test_meeting_minutes_as_pdf_with_votes_attendance_and_local_time(client, make_territory, make_organization,
                                                                       make_user, scoped):
    territory = make_territory(slug="gourdon", name="Grand Quercy")
    company = make_organization(territory, "Conserverie du Quercy", kind="company")
    mayor = make_user(territory, "governance_member", name="Martine Delpech")
    leader = make_user(territory, "governance_member", company, name="Hélène Cassagnes")
    admin = make_user(territory, "territory_admin")
    with scoped(territory):
        meeting = services.create_meeting({"title": "Comité de pilotage", "starts_at": datetime(2030, 3, 30, 16, 0),
                                           "place": "Mairie de Gourdon"})
        item = services.add_agenda_item(meeting, {"title": "Étude micro-crèche", "proposal": "Lancer l'étude",
                                                  "with_vote": True, "quorum_percent": 50})
        services.cast_vote(item, mayor, "for")
        services.cast_vote(item, leader, "for")
        services.close_vote(item)
        services.set_attendance(meeting, [mayor.id, leader.id])
        services.save_minutes(meeting, {"minutes": "Le comité lance l'étude de la micro-crèche."})
    client.login(admin)
    url = f"/t/gourdon/governance/meetings/{meeting.id}/minutes.pdf"
    response = client.get(url)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response)
    assert "Comité de pilotage" in text and "samedi 30 mars 2030, 17 h 00" in text
    assert "Étude micro-crèche" in text and "Adoptée" in text
    assert "Hélène Cassagnes" in text and "Martine Delpech" in text
    assert "Le comité lance l'étude de la micro-crèche." in text
    assert _documents() == 1
    # Downloaded again: the stored PDF, not a new one; changed minutes make a new version in its place.
    client.get(url)
    assert _documents() == 1
    with scoped(territory):
        services.save_minutes(meeting, {"minutes": "Compte rendu corrigé."})
    assert "Compte rendu corrigé." in pdf_text(client.get(url))
    assert _documents() == 1


def test_a_pdf_waits_for_the_worker_and_outsiders_get_nothing(app, client, make_client, make_territory, make_user,
                                                              scoped, tmp_path):
    from coopserv.jobs.queue import JobQueue

    territory = make_territory(slug="gourdon")
    other = make_territory(slug="figeac")
    member = make_user(territory, "governance_member")
    stranger = make_user(other, "employee")
    with scoped(territory):
        meeting = services.create_meeting({"title": "Comité", "starts_at": datetime(2030, 1, 10, 17, 0)})
    # With a real queue (no worker running), the request only enqueues: 202 and a page that asks again.
    app.config["JOBS_SQLITE_PATH"] = str(tmp_path / "queue.sqlite")
    immediate = app.extensions["coopserv_jobs"]
    try:
        app.config["JOBS_IMMEDIATE"] = False
        queue = JobQueue(app)
        app.extensions["coopserv_jobs"] = queue
        client.login(member)
        pending = client.get(f"/t/gourdon/governance/meetings/{meeting.id}/minutes.pdf")
        assert pending.status_code == 202 and pending.headers["Retry-After"] == "3"
        assert queue.pending() == 1 and _documents() == 0
        # The worker runs the job; the next request gets the PDF.
        queue.huey.execute(queue.huey.dequeue())
        assert "Comité" in pdf_text(client.get(f"/t/gourdon/governance/meetings/{meeting.id}/minutes.pdf"))
    finally:
        app.extensions["coopserv_jobs"] = immediate
    outsider = make_client()
    outsider.login(stranger)
    assert outsider.get(f"/t/gourdon/governance/meetings/{meeting.id}/minutes.pdf").status_code == 403
    assert client.get("/t/gourdon/governance/meetings/999/minutes.pdf").status_code == 404


def test_evaluation_report_as_pdf(client, figeac, scoped):
    from coopserv.projects import services as projects

    with scoped(figeac.territory):
        project = projects.create_project({"title": "Conciergerie inter-entreprises", "service_key": "concierge",
                                           "summary": "Pressing et retouches livrés au travail."}, actor=figeac.admin)
    client.login(figeac.admin)
    page = client.get(f"/t/figeac/projects/{project.id}/report").get_data(as_text=True)
    assert f"/t/figeac/projects/{project.id}/report.pdf" in page
    text = pdf_text(client.get(f"/t/figeac/projects/{project.id}/report.pdf"))
    text = " ".join(text.replace("-\n", "-").split())  # a long title wraps after its hyphen
    assert "Rapport d’évaluation: Conciergerie inter-entreprises" in text
    assert "Figeac" in text and "Objectifs" in text or "objectif" in text.lower()
