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
    from datetime import timedelta

    from coopserv.governance import services as governance
    from coopserv.timeutil import utcnow

    member = make_user(figeac.territory, "governance_member", email="comite@figeac.example")
    with scoped(figeac.territory):
        project = projects.create_project({"title": "Conciergerie inter-entreprises", "service_key": "concierge",
                                           "lead_id": figeac.referent.id}, actor=figeac.admin)
        project.stage = "evaluation"
        db.session.commit()
        meeting = governance.create_meeting({"title": "Comité", "starts_at": utcnow() - timedelta(hours=1)},
                                            figeac.admin)
        item = governance.add_agenda_item(meeting, {"title": "Pérennisation", "proposal": "Bon usage",
                                                    "project_id": project.id, "project_outcome": "perennial"},
                                          figeac.admin)
        for voter in (member, figeac.governance):
            governance.cast_vote(item, voter, "for")
        smtp_server.clear()
        governance.close_vote(item, figeac.admin)
        assert project.outcome == "perennial"
    committee = [member.email, "governance@figeac.example"]  # the one added here and the fixture's
    # The committee gets the vote's result and the decision; the project's lead gets the decision.
    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted([*committee, *committee,
                                                                         figeac.referent.email])
    [decision] = smtp_server.to(figeac.referent.email)
    text = smtp_server.text(decision)
    assert "Conciergerie inter-entreprises" in text and "pérennisé" in text and "Pour : 2 · Contre : 0" in text
