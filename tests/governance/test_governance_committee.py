"""The committee, its balance and charter, meetings with votes and actions, the risk register."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.governance import risks, services
from coopserv.governance.models import (
    ActionItem,
    AgendaItem,
    CharterSignature,
    CharterVersion,
    CommitteeVote,
    GovernanceSettings,
    IdeaVote,
    Meeting,
    Risk,
)
from coopserv.notifications.models import Notification
from coopserv.projects.models import EVALUATION, ProjectDecision, ServiceProject
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.territories.models import Territory
from coopserv.timeutil import local_today, utcnow

BASE = "/t/grand-quercy/governance"
HTMX = {"HX-Request": "true"}


def in_days(days, hour=18):
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _count(model, **filters):
    query = select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True})
    for key, value in filters.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def _meeting(quercy, days=7, **fields):
    with services_scope(quercy):
        return services.create_meeting({"title": "Comité de pilotage", "starts_at": in_days(days),
                                        "place": "Gourdon", **fields})


def services_scope(quercy):
    from coopserv.tenancy import territory_scope

    return territory_scope(quercy.territory)


def _item(quercy, meeting, **rule):
    with services_scope(quercy):
        return services.add_agenda_item(meeting, {"title": "Étude micro-crèche", "proposal": "Lancer l'étude",
                                                  "with_vote": True, **rule})


# -- committee and balance ----------------------------------------------------------------
def test_colleges_default_from_the_organization_and_admin_changes_them(quercy, login):
    with services_scope(quercy):
        colleges = {m.user.id: m.college for m in services.committee_members()}
    assert colleges == {quercy.mayor.id: "public", quercy.technician.id: "public", quercy.leader.id: "companies",
                        quercy.builder_boss.id: "companies", quercy.club_chair.id: "associations"}
    admin = login(quercy.admin)
    assert admin.post_form(f"{BASE}/members/{quercy.technician.id}/college", {"college": "associations"}).status_code == 302
    with services_scope(quercy):
        assert services.balance()["counts"] == {"public": 1, "companies": 2, "associations": 2}
    # A bad college is a field error and changes nothing.
    response = admin.post_form(f"{BASE}/members/{quercy.mayor.id}/college", {"college": "clergy"})
    assert response.status_code == 422 and 'id="college-error"' in response.get_data(as_text=True)
    with services_scope(quercy):
        assert services.balance()["counts"]["public"] == 1


def test_balance_warning_when_private_share_is_below_the_minimum(quercy, login):
    page = login(quercy.mayor).get(f"{BASE}/").get_data(as_text=True)
    assert 'id="balance-warning"' not in page  # 3 private members of 5 = 60 % >= 50 %
    admin = login(quercy.admin)
    assert admin.post_form(f"{BASE}/settings", {"min_private_share": "70"}).status_code == 302
    page = admin.get(f"{BASE}/").get_data(as_text=True)
    assert 'id="balance-warning"' in page and "60" in page
    # Exactly at the minimum is enough: 60 %.
    admin.post_form(f"{BASE}/settings", {"min_private_share": "60"})
    assert 'id="balance-warning"' not in admin.get(f"{BASE}/").get_data(as_text=True)
    # Bad input: a field error, nothing stored.
    response = admin.post_form(f"{BASE}/settings", {"min_private_share": "150"})
    assert response.status_code == 422 and 'id="min_private_share-error"' in response.get_data(as_text=True)
    with services_scope(quercy):
        assert db.session.scalar(select(GovernanceSettings)).min_private_share == 60


def test_adding_a_member_grants_the_role_and_only_admins_may(quercy, login):
    assert login(quercy.leader).post_form(f"{BASE}/members", {"user_id": quercy.employee.id}).status_code == 403
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/members", {"user_id": quercy.employee.id, "organization_id": quercy.cannery.id})
    assert response.status_code == 302
    with services_scope(quercy):
        assert services.is_committee_member(quercy.employee)
        assert services.balance()["counts"]["companies"] == 3
    # Someone outside the territory cannot be seated.
    from coopserv.accounts.services import create_user

    stranger = create_user("Stranger", "stranger@example.org", "x" * 12)
    db.session.commit()
    response = admin.post_form(f"{BASE}/members", {"user_id": stranger.id})
    assert response.status_code == 422 and 'id="user_id-error"' in response.get_data(as_text=True)


# -- charter ---------------------------------------------------------------------------------------
def test_charter_signatures_per_version(quercy, login):
    admin, referent = login(quercy.admin), login(quercy.referent)
    text = "Article 1 — Le comité réunit collectivités, entreprises et associations."
    assert referent.post_form(f"{BASE}/charter/versions", {"text": text, "adopted_on": "2026-01-15"}).status_code == 403
    assert admin.post_form(f"{BASE}/charter/versions", {"text": text, "adopted_on": "2026-01-15"}).status_code == 302
    response = referent.post_form(f"{BASE}/charter/sign", {"organization_id": quercy.cannery.id, "funding_amount": "3000",
                                                           "staff_days": "6", "premises": "Salle de réunion"})
    assert response.status_code == 302
    # A referent signs only for their own organization; a second signature of one version is refused.
    response = referent.post_form(f"{BASE}/charter/sign", {"organization_id": quercy.builder.id})
    assert response.status_code == 422 and 'id="organization_id-error"' in response.get_data(as_text=True)
    response = admin.post_form(f"{BASE}/charter/sign", {"organization_id": quercy.cannery.id})
    assert response.status_code == 422
    response = admin.post_form(f"{BASE}/charter/sign", {"organization_id": quercy.club.id, "staff_days": "-3"})
    assert response.status_code == 422 and 'id="staff_days-error"' in response.get_data(as_text=True)
    assert _count(CharterSignature) == 1
    admin.post_form(f"{BASE}/charter/sign", {"organization_id": quercy.authority.id, "funding_amount": "15000"})

    admin.post_form(f"{BASE}/charter/versions", {"text": text + " Article 2 — Quorum.", "adopted_on": "2026-06-01"})
    admin.post_form(f"{BASE}/charter/sign", {"organization_id": quercy.club.id,
                                             "quality_pledge": "Réponse sous 48 h"})
    with services_scope(quercy):
        signed = {v.number: sorted(s.organization.name for s in v.signatures) for v in services.charter_versions()}
    assert signed == {1: ["Communauté de communes Quercy-Bouriane", "Conserverie du Quercy"],
                      2: ["Club des entrepreneurs"]}
    page = login(quercy.employee).get(f"{BASE}/charter").get_data(as_text=True)
    v1 = page.split('id="signatures-v1"')[1].split("</table>")[0]
    v2 = page.split('id="signatures-v2"')[1].split("</table>")[0]
    assert "Conserverie du Quercy" in v1 and "Club des entrepreneurs" not in v1
    assert "Club des entrepreneurs" in v2 and "Réponse sous 48 h" in v2


# -- meetings, invitations, votes -------------------------------------------------------------------
def test_invitations_notify_every_committee_member(quercy, login):
    meeting = _meeting(quercy)
    assert login(quercy.admin).post_form(f"{BASE}/meetings/{meeting.id}/invitations").status_code == 302
    invited = set(db.session.scalars(select(Notification.user_id).execution_options(**{ALL_TERRITORIES: True})))
    assert invited == {quercy.mayor.id, quercy.technician.id, quercy.leader.id, quercy.builder_boss.id,
                       quercy.club_chair.id}
    assert db.session.scalar(select(Meeting).execution_options(**{ALL_TERRITORIES: True})).invitations_sent_at


def test_no_invitations_for_a_meeting_in_the_past(quercy, login):
    meeting = _meeting(quercy, days=-2)
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/invitations")
    assert response.status_code == 422 and 'id="starts_at-error"' in response.get_data(as_text=True)
    response = admin.post_json(f"{BASE}/meetings/{meeting.id}/invitations")
    assert response.status_code == 422 and "starts_at" in response.get_json()["errors"]
    assert _count(Notification) == 0
    assert db.session.scalar(select(Meeting).execution_options(**{ALL_TERRITORIES: True})).invitations_sent_at is None


def test_meeting_bad_input_stores_nothing(quercy, login):
    response = login(quercy.admin).post_form(f"{BASE}/meetings/new", {"title": "", "starts_at": "demain"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page and 'id="starts_at-error"' in page
    assert _count(Meeting) == 0
    assert login(quercy.mayor).post_form(f"{BASE}/meetings/new", {"title": "Comité"}).status_code == 403


def test_members_vote_once_change_until_closed_and_the_result_is_counted(quercy, login):
    meeting = _meeting(quercy)
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/items", {
        "title": "Étude micro-crèche", "proposal": "Lancer l'étude", "with_vote": "true", "quorum_percent": "60",
        "majority": "simple", "each_college": "true"})
    assert response.status_code == 302
    item = db.session.scalar(select(AgendaItem).execution_options(**{ALL_TERRITORIES: True}))
    url = f"{BASE}/items/{item.id}/vote"

    mayor = login(quercy.mayor)
    response = mayor.post_form(url, {"choice": "against"}, headers=HTMX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<div id="vote-{item.id}"') and "<html" not in fragment
    response = mayor.post_form(url, {"choice": "for"}, headers=HTMX)  # changed, not added
    assert 'data-choice="for">1<' in response.get_data(as_text=True)
    for person in (quercy.leader, quercy.club_chair):
        assert login(person).post_form(url, {"choice": "for"}, headers=HTMX).status_code == 200
    assert _count(CommitteeVote) == 3
    assert _count(CommitteeVote, user_id=quercy.mayor.id, choice="for") == 1

    # Not on the committee: no vote.
    for outsider in (quercy.employee, quercy.referent, quercy.admin):
        assert login(outsider).post_form(url, {"choice": "for"}).status_code == 403
    assert _count(CommitteeVote) == 3
    # A choice that does not exist is a field error.
    response = mayor.post_form(url, {"choice": "maybe"}, headers=HTMX)
    assert response.status_code == 422 and 'id="choice-error"' in response.get_data(as_text=True)

    # Only admins close; 3 of 5 voted (60 %), all for, every college with members said yes.
    assert mayor.post_form(f"{BASE}/items/{item.id}/close").status_code == 403
    response = admin.post_json(f"{BASE}/items/{item.id}/close")
    assert response.get_json()["result"] == "adopted"
    db.session.refresh(item)
    assert item.vote_status == "closed" and item.result == "adopted"
    assert item.tally["by_college"]["public"] == {"for": 1, "against": 0, "abstain": 0}

    # The vote is closed: no change, a field error.
    response = mayor.post_form(url, {"choice": "against"}, headers=HTMX)
    assert response.status_code == 422 and 'id="choice-error"' in response.get_data(as_text=True)
    response = login(quercy.builder_boss).post_json(url, {"choice": "against"})
    assert response.status_code == 422 and "choice" in response.get_json()["errors"]
    assert _count(CommitteeVote, choice="against") == 0 and _count(CommitteeVote) == 3
    page = mayor.get(f"{BASE}/meetings/{meeting.id}").get_data(as_text=True)
    assert f'id="result-{item.id}"' in page


def test_each_college_rule_rejects_when_one_college_votes_against(quercy):
    meeting = _meeting(quercy)
    item = _item(quercy, meeting, each_college=True, quorum_percent=50)
    with services_scope(quercy):
        for person, choice in ((quercy.mayor, "for"), (quercy.technician, "for"), (quercy.leader, "for"),
                               (quercy.builder_boss, "for"), (quercy.club_chair, "against")):
            services.cast_vote(item, person, choice)
        result = services.close_vote(item)
    assert result.decision == "rejected" and result.failed_colleges == ["associations"]
    assert item.result_reason == "college_majority_failed"


def test_quorum_not_met_is_stored(quercy):
    meeting = _meeting(quercy)
    item = _item(quercy, meeting, quorum_percent=50)
    with services_scope(quercy):
        services.cast_vote(item, quercy.mayor, "for")
        services.cast_vote(item, quercy.leader, "for")
        services.close_vote(item)
    assert item.result == "no_quorum" and item.tally["voters"] == 2 and item.tally["members"] == 5


def _project_in_evaluation(quercy, title="Micro-crèche du Mas de Jouy"):
    with services_scope(quercy):
        project = ServiceProject(title=title, stage=EVALUATION, origin_text="Besoins des salariés")
        db.session.add(project)
        db.session.commit()
        return project


def test_a_closed_vote_on_a_project_records_its_decision(quercy, login):
    project = _project_in_evaluation(quercy)
    meeting = _meeting(quercy)
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/items", {
        "title": "Pérenniser la micro-crèche", "proposal": "Ouvrir le service à toutes les entreprises",
        "with_vote": "true", "majority": "two_thirds", "project_id": project.id, "project_outcome": "perennial"})
    assert response.status_code == 302
    item = db.session.scalar(select(AgendaItem).execution_options(**{ALL_TERRITORIES: True}))
    for person, choice in ((quercy.mayor, "for"), (quercy.leader, "for"), (quercy.builder_boss, "for"),
                           (quercy.club_chair, "against"), (quercy.technician, "abstain")):
        login(person).post_form(f"{BASE}/items/{item.id}/vote", {"choice": choice})
    admin.post_form(f"{BASE}/items/{item.id}/close")
    decision = db.session.scalar(select(ProjectDecision).execution_options(**{ALL_TERRITORIES: True}))
    assert decision.outcome == "perennial"
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (3, 1, 1)
    db.session.refresh(project)
    assert project.stage == "decided" and project.outcome == "perennial"


def test_a_rejected_project_vote_records_no_decision_and_bad_links_are_refused(quercy, login):
    project = _project_in_evaluation(quercy)
    meeting = _meeting(quercy)
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/items", {"title": "Arrêter ?", "project_id": project.id})
    assert response.status_code == 422 and 'id="project_outcome-error"' in response.get_data(as_text=True)
    assert _count(AgendaItem) == 0
    item = _item(quercy, meeting, project_id=project.id, project_outcome="stopped")
    with services_scope(quercy):
        services.cast_vote(item, quercy.mayor, "against")
        services.cast_vote(item, quercy.leader, "against")
        services.cast_vote(item, quercy.club_chair, "for")
        services.close_vote(item)
    assert item.result == "rejected"
    assert _count(ProjectDecision) == 0
    db.session.refresh(project)
    assert project.stage == EVALUATION
    # Only projects in evaluation can be decided.
    with services_scope(quercy):
        project.stage = "design"
        db.session.commit()
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/items", {
        "title": "Pérenniser", "project_id": project.id, "project_outcome": "perennial"})
    assert response.status_code == 422 and 'id="project_id-error"' in response.get_data(as_text=True)


# -- attendance, minutes and action items -------------------------------------------------------------
def test_attendance_and_minutes(quercy, login):
    meeting = _meeting(quercy, days=-1)
    admin = login(quercy.admin)
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/attendance",
                               {"present_ids[]": [quercy.mayor.id, quercy.leader.id]})
    assert response.status_code == 302
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/attendance", {"present_ids[]": [quercy.employee.id]})
    assert response.status_code == 422
    admin.post_form(f"{BASE}/meetings/{meeting.id}/minutes", {"minutes": "Étude lancée."})
    page = login(quercy.employee).get(f"{BASE}/meetings/{meeting.id}").get_data(as_text=True)
    attendance = page.split('id="attendance-title"')[1].split("</section>")[0]
    assert "Martine Delpech" in attendance and "Hélène Cassagnes" in attendance and "Nadia Bouzid" not in attendance
    assert "Étude lancée." in page


def test_overdue_actions_are_highlighted_and_the_owner_updates_them(quercy, login):
    meeting = _meeting(quercy, days=-10)
    admin = login(quercy.admin)
    late = (local_today() - timedelta(days=3)).isoformat()
    assert admin.post_form(f"{BASE}/meetings/{meeting.id}/actions", {"title": "Réunir les devis",
                                                                     "owner_id": quercy.technician.id,
                                                                     "due_on": late}).status_code == 302
    action = db.session.scalar(select(ActionItem).execution_options(**{ALL_TERRITORIES: True}))
    meeting_page = login(quercy.mayor).get(f"{BASE}/meetings/{meeting.id}").get_data(as_text=True)
    assert f'<tr id="action-{action.id}" class="overdue">' in meeting_page
    assert 'id="overdue-actions"' in login(quercy.mayor).get(f"{BASE}/").get_data(as_text=True)

    # Neither another member nor bad input changes it.
    assert login(quercy.leader).post_form(f"{BASE}/actions/{action.id}/status", {"status": "done"}).status_code == 403
    owner = login(quercy.technician)
    assert owner.post_form(f"{BASE}/actions/{action.id}/status", {"status": "finished"}).status_code == 422
    response = owner.post_form(f"{BASE}/actions/{action.id}/status", {"status": "done"}, headers=HTMX)
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith(f'<tr id="action-{action.id}"')
    assert "overdue" not in row
    assert 'id="overdue-actions"' not in login(quercy.mayor).get(f"{BASE}/").get_data(as_text=True)
    # A due date is required.
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/actions", {"title": "Sans date"})
    assert response.status_code == 422 and 'id="due_on-error"' in response.get_data(as_text=True)
    assert _count(ActionItem) == 1


# -- risk register --------------------------------------------------------------------------------------
def test_risk_register(quercy, login):
    admin = login(quercy.admin)
    bad = {"title": "Fin du financement", "likelihood": "7", "impact": "4", "review_on": "2026-12-01"}
    response = admin.post_form(f"{BASE}/risks", bad)
    assert response.status_code == 422 and 'id="likelihood-error"' in response.get_data(as_text=True)
    response = admin.post_json(f"{BASE}/risks", bad)
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"likelihood"}
    assert _count(Risk) == 0

    past = (local_today() - timedelta(days=1)).isoformat()
    response = admin.post_form(f"{BASE}/risks", {**bad, "likelihood": "3", "review_on": past,
                                                 "category": "funding_ends", "owner_id": quercy.mayor.id,
                                                 "mitigation": "Chercher des cofinancements"})
    assert response.status_code == 302
    risk = db.session.scalar(select(Risk).execution_options(**{ALL_TERRITORIES: True}))
    assert risk.score == 12
    page = login(quercy.leader).get(f"{BASE}/risks").get_data(as_text=True)
    row = page.split(f'id="risk-{risk.id}"')[1].split("</tr>")[0]
    assert "<strong>12</strong>" in row and 'class="tag stage-stopped"' in row
    # Editing moves the review date; the highlight goes.
    future = (local_today() + timedelta(days=30)).isoformat()
    admin.post_form(f"{BASE}/risks", {**bad, "risk_id": risk.id, "likelihood": "2", "review_on": future})
    db.session.refresh(risk)
    assert risk.score == 8 and _count(Risk) == 1
    # Employees do not read the register; committee members do not write it.
    assert login(quercy.employee).get(f"{BASE}/risks").status_code == 403
    assert login(quercy.leader).post_form(f"{BASE}/risks", {**bad, "likelihood": "1"}).status_code == 403


# -- demo -----------------------------------------------------------------------------------------------------
def test_demo_seeds_committees_their_votes_and_the_decisions_they_take(app):
    from coopserv.demo import seed_demo
    from coopserv.governance.models import GovernanceEvent, IdeaPitch

    seed_demo()
    assert _count(CharterSignature) >= 3 and _count(CharterVersion) == 3  # Grand Quercy, Figeac, Autun
    assert _count(AgendaItem, result="adopted") == 2 and _count(AgendaItem, result="rejected") == 2
    quercy = db.session.scalar(select(Territory.id).filter_by(slug="grand-quercy"))
    assert _count(ActionItem) == 4 and _count(Risk, territory_id=quercy) == 4
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.project_id.is_not(None))
                               .execution_options(**{ALL_TERRITORIES: True})).all()
    by_result = {item.result: item for item in items}
    decided, refused = by_result["adopted"], by_result["rejected"]
    assert (decided.project.stage, decided.project.outcome) == ("decided", "perennial")
    assert decided.project.decisions[0].agenda_item_id == decided.id
    assert (decided.majority, decided.each_college) == ("two_thirds", True)  # the charter's rule for perennial
    assert refused.project.stage == "evaluation" and refused.tally["failed_colleges"] == ["companies"]
    assert [e.kind for e in refused.project.events][-1] == "not_adopted"
    assert db.session.scalar(select(ServiceProject).filter_by(id=refused.project_id)
                             .execution_options(**{ALL_TERRITORIES: True})).outcome is None
    # The committees' own indicators, with six months of figures each for the manual ones.
    from coopserv.committee_indicators.models import CommitteeIndicator, IndicatorFigure

    assert _count(CommitteeIndicator) == 3 and _count(IndicatorFigure) == 12
    # Grand Quercy's collective need past its threshold is on its next meeting's agenda.
    assert _count(AgendaItem, vote_status="none") >= 2
    assert db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.collective_need_id.is_not(None))
                             .execution_options(**{ALL_TERRITORIES: True})) == 1
    assert _count(GovernanceEvent, kind="startup_evening", title="Start Up de Territoire — Figeac") == 1
    assert _count(IdeaPitch) == 4 and _count(IdeaVote) > 4


@pytest.mark.parametrize("method, path", [
    ("get", "/"), ("post", "/settings"), ("post", "/members"), ("post", "/members/{user}/college"),
    ("get", "/charter"), ("post", "/charter/versions"), ("post", "/charter/sign"),
    ("get", "/meetings/new"), ("post", "/meetings/new"), ("get", "/meetings/{meeting}"),
    ("post", "/meetings/{meeting}/invitations"), ("post", "/meetings/{meeting}/attendance"),
    ("post", "/meetings/{meeting}/minutes"), ("post", "/meetings/{meeting}/items"),
    ("post", "/meetings/{meeting}/actions"), ("post", "/items/{item}/vote"), ("post", "/items/{item}/close"),
    ("post", "/actions/{action}/status"), ("get", "/risks"), ("post", "/risks"),
    ("get", "/events"), ("get", "/events/new"), ("post", "/events/new"), ("get", "/events/{event}"),
    ("post", "/events/{event}/register"), ("post", "/events/{event}/ideas"), ("post", "/ideas/{idea}/vote"),
    ("post", "/ideas/{idea}/project"),
])
@pytest.mark.parametrize("who", ["admin", "member"])
def test_people_of_another_territory_get_nothing(quercy, lot, login, method, path, who):
    from coopserv.governance import events

    meeting = _meeting(quercy)
    item = _item(quercy, meeting)
    with services_scope(quercy):
        services.add_action(meeting, {"title": "Réunir les devis", "due_on": local_today()})
        risks.save_risk({"title": "Secret risk of Quercy", "likelihood": 2, "impact": 2,
                            "review_on": local_today()})
        event = events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                                     "starts_at": in_days(3)})
        events.register(event, quercy.leader)
        idea = events.submit_idea(event, quercy.leader, {"title": "Covoiturage", "pitch": "Secret pitch of Quercy"})
    action_id = db.session.scalar(select(ActionItem.id).execution_options(**{ALL_TERRITORIES: True}))
    before = {model: _count(model) for model in (AgendaItem, CommitteeVote, ActionItem, Risk, CharterVersion)}
    url = BASE + path.format(user=quercy.mayor.id, meeting=meeting.id, item=item.id, action=action_id,
                             event=event.id, idea=idea.id)
    client = login(getattr(lot, who))
    data = {"choice": "for", "title": "Intrusion", "min_private_share": "0", "user_id": lot.member.id,
            "college": "public", "status": "done", "text": "x" * 30, "adopted_on": "2026-01-01",
            "organization_id": lot.company.id, "likelihood": "1", "impact": "1", "review_on": "2026-01-01",
            "pitch": "An intruder's pitch", "kind": "startup_evening", "starts_at": "2030-01-01T10:00"}
    response = client.get(url) if method == "get" else client.post_form(url, data)
    assert response.status_code in (403, 404)
    body = response.get_data(as_text=True)
    for secret in ("Secret risk of Quercy", "Secret pitch of Quercy", "Martine Delpech", "Étude micro-crèche"):
        assert secret not in body
    assert before == {model: _count(model) for model in before}
    assert _count(IdeaVote) == 0
