"""The practices library: a territory publishes a project as a sheet, others search it and replicate it in one step."""
import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.governance import risks
from coopserv.network.models import PracticeReplication, PracticeSheet
from coopserv.projects.models import ServiceProject
from coopserv.tenancy import territory_scope
from coopserv.timeutil import local_today
from tests.helpers import count_rows, rows, text_of
from tests.network.conftest import decided_project

SHEET = {"context": "Une zone d'activité de 2 000 salariés sans commerce.", "need": "Déposer son pressing au travail.",
         "service": "Conciergerie inter-entreprises", "partners": "Figeac Aéro, Grand-Figeac",
         "costs": "30 000 € par an", "lessons": "Recommencer avec deux pilotes motivés dès le départ."}


@pytest.fixture
def published(network, login):
    project = decided_project(network.figeac.territory, network.figeac.module, "Conciergerie de Figeac")
    with territory_scope(network.figeac.territory):
        risk = risks.save_risk({"title": "Le dirigeant moteur quitte le territoire", "category": "leader_leaves",
                                "likelihood": 2, "impact": 4, "mitigation": "Un binôme par projet.",
                                "owner_id": None, "review_on": local_today()}, actor=network.figeac.admin)
    admin = login(network.figeac.admin)
    response = admin.post_form(f"/t/figeac/practices/publish/{project.id}",
                               {**SHEET, "network_id": network.network.id, "risk_ids": str(risk.id)})
    assert response.status_code == 302, text_of(response)[:2000]
    return rows(PracticeSheet)[0]


def test_publishing_builds_a_sheet_with_results_risks_and_a_template(network, published, login):
    assert published.source_territory_id == network.figeac.territory.id
    assert published.results[0]["indicator"] == "concierge.orders" and published.results[0]["target"] == 20.0
    assert published.risks == [{"title": "Le dirigeant moteur quitte le territoire", "category": "leader_leaves",
                                 "mitigation": "Un binôme par projet."}]
    assert published.template["format"] == "coopserv.project-template/1"
    assert published.template["service_key"] == "concierge"
    page = text_of(login(network.coordinator).get(f"/n/adefpat/practices/{published.id}"))
    for text in (SHEET["lessons"], "Le dirigeant moteur", "Conciergerie de Figeac", "Figeac"):
        assert text in page


def test_another_territory_searches_and_replicates_in_one_step(network, published, login):
    admin = login(network.autun.admin)
    found = text_of(admin.get("/t/autun-morvan/practices/?q=pressing+travail"))
    assert "Conciergerie de Figeac" in found
    assert "Conciergerie de Figeac" not in text_of(admin.get("/t/autun-morvan/practices/?q=crèche"))
    response = admin.post_form(f"/t/autun-morvan/practices/{published.id}/replicate")
    assert response.status_code == 302
    with territory_scope(network.autun.territory):
        project = db.session.scalar(select(ServiceProject).order_by(ServiceProject.id.desc()))
        assert (project.title, project.stage, project.service_key) == ("Conciergerie de Figeac", "design", "concierge")
        assert [t.indicator_key for t in project.targets] == ["concierge.orders"]
        assert response.headers["Location"].endswith(f"/t/autun-morvan/projects/{project.id}")
    assert rows(PracticeReplication)[0].territory_id == network.autun.territory.id
    assert "Autun Morvan" in text_of(admin.get(f"/t/autun-morvan/practices/{published.id}"))


def test_the_library_stays_inside_its_network(network, published, login):
    for person in (network.lot.admin, network.lot.employee):
        client = login(person)
        assert "Conciergerie de Figeac" not in text_of(client.get("/t/lot/practices/"))
        assert client.get(f"/t/lot/practices/{published.id}").status_code == 404
        assert client.post_form(f"/t/lot/practices/{published.id}/replicate").status_code in (403, 404)
    assert count_rows(PracticeReplication) == 0
    # A Figeac employee reads the library but does not replicate; Figeac does not replicate its own practice.
    employee = login(network.figeac.employee)
    assert employee.get(f"/t/figeac/practices/{published.id}").status_code == 200
    assert employee.post_form(f"/t/figeac/practices/{published.id}/replicate").status_code == 403
    own = login(network.figeac.admin).post_form(f"/t/figeac/practices/{published.id}/replicate")
    assert own.status_code == 302 and count_rows(PracticeReplication) == 0


def test_a_project_not_yet_evaluated_or_bad_input_is_refused(network, login, scoped):
    from coopserv.projects.services import create_project

    with scoped(network.figeac.territory):
        idea = create_project({"title": "Une idée de crèche", "origin_text": "Soirée"}, network.figeac.admin)
    admin = login(network.figeac.admin)
    assert admin.post_form(f"/t/figeac/practices/publish/{idea.id}",
                           {**SHEET, "network_id": network.network.id}).status_code == 422
    decided = decided_project(network.figeac.territory, network.figeac.module, "Conciergerie bis")
    bad = admin.post_form(f"/t/figeac/practices/publish/{decided.id}",
                          {**SHEET, "lessons": "court", "network_id": network.other.id})
    assert bad.status_code == 422 and 'id="lessons-error"' in bad.get_data(as_text=True)
    assert count_rows(PracticeSheet) == 0
    autun = login(network.autun.admin)
    assert autun.get(f"/t/autun-morvan/practices/publish/{decided.id}").status_code == 404


def test_a_stopped_project_is_shared_as_experience_but_not_replicable(network, login):
    project = decided_project(network.autun.territory, network.autun.module, "Navette arrêtée", "stopped")
    admin = login(network.autun.admin)
    assert admin.post_form(f"/t/autun-morvan/practices/publish/{project.id}",
                           {**SHEET, "network_id": network.network.id}).status_code == 302
    sheet = rows(PracticeSheet)[0]
    assert sheet.template is None and sheet.outcome == "stopped"
    response = login(network.figeac.admin).post_form(f"/t/figeac/practices/{sheet.id}/replicate")
    assert response.status_code == 302 and count_rows(ServiceProject, title="Navette arrêtée") == 1
