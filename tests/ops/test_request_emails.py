"""A plugin marks which transitions are worth an e-mail (Transition(email=True)); only those are mailed."""
from coopserv.extensions import db
from coopserv.projects import services as projects
from tests.helpers import place_order


def _move(client, request_id, transition):
    response = client.post_json(f"/t/figeac/requests/{request_id}/transition", {"transition": transition})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_only_transitions_marked_for_email_are_mailed(make_client, figeac, catalogue, smtp_server):
    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    operator = make_client()
    operator.login(figeac.operator)
    _move(operator, request.id, "accept")
    _move(operator, request.id, "start")
    assert smtp_server.messages == []  # in-app notifications only
    _move(operator, request.id, "mark_ready")  # the concierge marks "ready" worth an e-mail
    [message] = smtp_server.messages
    assert message["To"] == figeac.employee.email
    assert message["Subject"] == f"Votre demande {request.reference} : Prête"
    text = smtp_server.text(message)
    assert "Conciergerie" in text and f"http://portal.test/t/figeac/requests/{request.id}" in text


def test_project_decision_is_mailed_to_the_lead_and_the_committee(figeac, make_user, scoped, smtp_server):
    member = make_user(figeac.territory, "governance_member", email="comite@figeac.example")
    with scoped(figeac.territory):
        project = projects.create_project({"title": "Conciergerie inter-entreprises", "service_key": "concierge",
                                           "lead_id": figeac.referent.id}, actor=figeac.admin)
        project.stage = "evaluation"
        db.session.commit()
        projects.record_decision(project, "perennial", {"for": 4, "against": 1, "abstain": 0}, "Bon usage",
                                 figeac.admin)
    committee = [member.email, "governance@figeac.example"]  # the one added here and the fixture's
    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted([*committee, figeac.referent.email])
    text = smtp_server.text(smtp_server.to(member.email)[0])
    assert "Conciergerie inter-entreprises" in text and "pérennisé" in text and "Pour : 4 · Contre : 1" in text
