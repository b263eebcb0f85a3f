"""Service projects: who moves them, the prototype's stage gating, evaluation, decisions, cost sharing,
replication between territories, tenant isolation, and the whole journey from a need to a perennial service."""
import json
from datetime import timedelta
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from coopserv_plugins.concierge.tests.conftest import add_catalogue, next_weekday
from marshmallow import ValidationError
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.modules.models import ServiceModule
from coopserv.modules.services import availability, configure_module, get_module
from coopserv.needs import services as needs
from coopserv.needs.models import Need, NeedCategory
from coopserv.notifications.models import Notification
from coopserv.projects import services
from coopserv.projects.models import (
    ProjectDecision,
    ServiceProject,
)
from coopserv.service_requests.models import ServiceRequest
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.timeutil import local_today, utcnow


def _count(model, **filters):
    query = select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True})
    for key, value in filters.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def _client(make_client, user):
    client = make_client()
    client.login(user)
    return client


@pytest.fixture
def lot(make_territory, make_organization, make_user):
    """A territory without any service yet: two pilot companies, one that is not, a local authority."""
    territory = make_territory("lot", "Lot")
    pilot = make_organization(territory, "Conserverie du Quercy", kind="company", employee_count=60)
    second = make_organization(territory, "Bouriane Bâtiment", kind="company", employee_count=18)
    outsider = make_organization(territory, "Fournil de Gourdon", kind="company", employee_count=5)
    authority = make_organization(territory, "Communauté de communes", kind="local_authority", employee_count=80)
    return SimpleNamespace(
        territory=territory, pilot=pilot, second=second, outsider=outsider, authority=authority,
        admin=make_user(territory, "territory_admin"),
        lead=make_user(territory, "company_referent", pilot, name="Lea Lead"),
        pilot_employee=make_user(territory, "employee", pilot, name="Paule Pilote", email="paule@conserverie.example"),
        other_employee=make_user(territory, "employee", outsider, name="Oscar Autre"),
    )


@pytest.fixture
def autun(make_territory, make_organization, make_user):
    territory = make_territory("autun-morvan", "Autun Morvan")
    company = make_organization(territory, "Morvan Électronique")
    return SimpleNamespace(territory=territory, company=company, admin=make_user(territory, "territory_admin"),
                           employee=make_user(territory, "employee", company))


@pytest.fixture
def committee(lot, make_user):
    """Lot's steering committee: one seat per college (public body, company, association)."""
    return SimpleNamespace(
        mayor=make_user(lot.territory, "governance_member", lot.authority, name="Maire du Lot"),
        boss=make_user(lot.territory, "governance_member", lot.pilot, name="Dirigeante Conserverie"),
        builder=make_user(lot.territory, "governance_member", lot.second, name="Artisan Bouriane"),
    )


def _decide(lot, scoped, committee, project, outcome, ballots=("for", "for", "for")):
    """Put the project's decision to the committee's vote, cast the ballots (mayor, boss, builder) and close it."""
    from coopserv.governance import services as governance

    with scoped(lot.territory):
        meeting = governance.create_meeting({"title": "Comité de pilotage", "starts_at": utcnow() - timedelta(hours=2)},
                                            lot.admin)
        item = governance.add_agenda_item(meeting, {"title": f"Décision : {outcome}", "proposal": "Proposition",
                                                    "project_id": project.id, "project_outcome": outcome}, lot.admin)
        for voter, choice in zip((committee.mayor, committee.boss, committee.builder), ballots):
            governance.cast_vote(item, voter, choice)
        governance.close_vote(item, lot.admin)
        return item


def _seat_committee(lot):
    """Governance first: the prototype opens once the steering committee has a member."""
    from coopserv.governance.services import add_member

    add_member({"user_id": lot.admin.id}, lot.admin)
    db.session.commit()


def _project(lot, scoped, **fields):
    with scoped(lot.territory):
        return services.create_project({"title": "Conciergerie de la ZA", "origin_text": "Soirée des dirigeants",
                                        "service_key": "concierge", "lead_id": lot.lead.id,
                                        "partner_ids": [lot.pilot.id, lot.authority.id], **fields}, actor=lot.admin)


def _ready_for_prototype(lot, scoped, project):
    today = local_today()
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        _seat_committee(lot)
        services.move(project, "design", "Étude lancée", lot.admin)
        services.set_experiment(project, {"experiment_start": today - timedelta(days=5),
                                          "experiment_end": today + timedelta(days=60),
                                          "pilot_ids": [lot.pilot.id, lot.second.id]}, lot.admin)
        services.set_target(project, {"indicator_key": "concierge.orders", "target_value": 2}, lot.admin)
        return project


def test_only_the_lead_or_admins_create_and_move_projects(make_client, lot, scoped):
    for user in (lot.pilot_employee, lot.lead):
        response = _client(make_client, user).post_form("/t/lot/projects/new", {"title": "Crèche",
                                                                               "origin_text": "Une idée"})
        assert response.status_code == 403
    created = _client(make_client, lot.admin).post_json("/t/lot/projects/new", {
        "title": "Conciergerie de la ZA", "origin_text": "Soirée des dirigeants", "service_key": "concierge",
        "lead_id": lot.lead.id, "partner_ids": [lot.pilot.id]})
    assert created.status_code == 201
    project_id = created.get_json()["id"]
    url = f"/t/lot/projects/{project_id}/move"
    for user in (lot.pilot_employee, lot.other_employee):
        assert _client(make_client, user).post_form(url, {"to_stage": "design", "reason": "Go"}).status_code == 403
    assert _client(make_client, lot.lead).post_form(url, {"to_stage": "design", "reason": "Étude lancée"}).status_code == 302
    assert _client(make_client, lot.pilot_employee).post_form(f"/t/lot/projects/{project_id}/targets", {
        "indicator_key": "concierge.orders", "target_value": "3"}).status_code == 403
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project_id)
        assert project.stage == "design"
        assert [(e.from_stage, e.to_stage, e.actor_id, e.reason) for e in project.events] == [
            (None, "idea", lot.admin.id, "Soirée des dirigeants"), ("idea", "design", lot.lead.id, "Étude lancée")]


def test_bad_input_and_illegal_moves_store_nothing(make_client, lot, scoped):
    admin = _client(make_client, lot.admin)
    bad = admin.post_form("/t/lot/projects/new", {"title": "ab", "service_key": "teleportation"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="title-error"' in page and 'id="origin_text-error"' in page
    assert _count(ServiceProject) == 0
    project = _project(lot, scoped)
    skip = admin.post_json(f"/t/lot/projects/{project.id}/move", {"to_stage": "evaluation", "reason": "Vite"})
    assert skip.status_code == 422 and "to_stage" in skip.get_json()["errors"]
    admin.post_form(f"/t/lot/projects/{project.id}/move", {"to_stage": "design", "reason": "Étude"})
    early = admin.post_form(f"/t/lot/projects/{project.id}/move", {"to_stage": "prototype", "reason": "Vite"})
    assert early.status_code == 422
    assert "pilot" in early.get_data(as_text=True).lower() or "pilote" in early.get_data(as_text=True).lower()
    # No decision is typed by hand any more: the committee's vote is the only way.
    assert admin.post_json(f"/t/lot/projects/{project.id}/decision", {"outcome": "perennial"}).status_code == 404
    target = admin.post_json(f"/t/lot/projects/{project.id}/targets", {"indicator_key": "nope", "target_value": 1})
    assert target.status_code == 422
    with scoped(lot.territory):
        assert db.session.get(ServiceProject, project.id).stage == "design"
        assert get_module("concierge") is None
    assert _count(ProjectDecision) == 0


def test_prototype_opens_the_module_to_pilot_organizations_only(make_client, lot, scoped):
    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    lead = _client(make_client, lot.lead)
    assert lead.post_form(f"/t/lot/projects/{project.id}/move",
                          {"to_stage": "prototype", "reason": "Tout est prêt"}).status_code == 302
    with scoped(lot.territory):
        module = get_module("concierge")
        assert (module.stage, module.enabled) == ("prototype", True)
        assert {o.id for o in module.pilot_organizations} == {lot.pilot.id, lot.second.id}
        # Pilots only (the concierge's own prerequisites, a catalogue, come next).
        assert availability(module, lot.pilot, ignore_prerequisites=True).allowed
        assert availability(module, lot.second, ignore_prerequisites=True).allowed
        assert not availability(module, lot.outsider, ignore_prerequisites=True).allowed
        assert db.session.get(ServiceProject, project.id).module_id == module.id
        # Nobody ran the service yet: the project's lead becomes its first operator.
        from coopserv.accounts.models import Membership

        assert db.session.scalar(select(Membership.user_id).filter_by(role="service_operator", module_id=module.id,
                                                                       status="active")) == lot.lead.id
    catalogue = add_catalogue(lot.territory)
    order = {f"items.{catalogue.shirt.id}": "1", "slot_id": str(catalogue.tuesday.id),
             "dropoff_date": next_weekday(1).isoformat()}
    assert _client(make_client, lot.other_employee).post_form("/t/lot/services/concierge/requests",
                                                              order).status_code == 403
    assert _client(make_client, lot.pilot_employee).post_form("/t/lot/services/concierge/requests",
                                                              order).status_code == 302
    assert _count(ServiceRequest) == 1


def test_full_lifecycle_from_needs_to_a_perennial_service(make_client, lot, scoped, committee):
    """Needs → collective need past the threshold → project → prototype → evaluation → perennial."""
    with scoped(lot.territory):
        needs.ensure_categories()
        category = db.session.scalar(select(NeedCategory.id).filter_by(key="quality_of_life"))
    referent = _client(make_client, lot.lead)
    need_id = int(referent.post_form("/t/lot/needs/new", {
        "title": "Pressing et courses sur le lieu de travail", "description": "Nos équipes finissent après 19 h.",
        "category_id": str(category), "scope": "company", "employees_affected": "45"}).headers["Location"]
        .rsplit("/", 1)[1])
    _client(make_client, lot.other_employee).post_form(f"/t/lot/needs/{need_id}/support", {})
    admin = _client(make_client, lot.admin)
    admin.post_form("/t/lot/needs/settings", {"form": "thresholds", "threshold_companies": "2",
                                              "threshold_employees": "100"})
    collective = admin.post_json("/t/lot/needs/collective", {"title": "Services du quotidien", "need_ids": [need_id]})
    assert collective.get_json()["flagged"] is True
    created = admin.post_json("/t/lot/projects/new", {
        "title": "Conciergerie de la ZA", "service_key": "concierge", "lead_id": lot.lead.id,
        "collective_need_ids": [collective.get_json()["id"]], "partner_ids": [lot.pilot.id, lot.authority.id]})
    project_id = created.get_json()["id"]
    with scoped(lot.territory):
        need = db.session.get(Need, need_id)
        assert (need.status, need.project_id) == ("addressed", project_id)
    assert _count(Notification, user_id=lot.lead.id) >= 3  # received, under study, addressed

    project = _ready_for_prototype(lot, scoped, SimpleNamespace(id=project_id))
    lead = _client(make_client, lot.lead)
    lead.post_form(f"/t/lot/projects/{project.id}/move", {"to_stage": "prototype", "reason": "Prêt"})
    catalogue = add_catalogue(lot.territory)
    order = {f"items.{catalogue.shirt.id}": "1", "slot_id": str(catalogue.tuesday.id),
             "dropoff_date": next_weekday(1).isoformat()}
    pilot = _client(make_client, lot.pilot_employee)
    for _ in range(3):
        assert pilot.post_form("/t/lot/services/concierge/requests", order).status_code == 302
    assert lead.post_form(f"/t/lot/projects/{project.id}/move",
                          {"to_stage": "evaluation", "reason": "Fin de l'essai"}).status_code == 302

    invitations = db.session.scalars(select(Notification.user_id).where(Notification.message.like("You used the prototype%"))
                                     .execution_options(**{ALL_TERRITORIES: True})).all()
    assert invitations == [lot.pilot_employee.id]
    assert _client(make_client, lot.other_employee).post_form(f"/t/lot/projects/{project.id}/survey",
                                                              {"score": "5"}).status_code == 403
    assert pilot.post_form(f"/t/lot/projects/{project.id}/survey", {"score": "9"}).status_code == 422
    assert pilot.post_form(f"/t/lot/projects/{project.id}/survey",
                           {"score": "4", "comment": "Très pratique"}).status_code == 302
    assert pilot.post_json(f"/t/lot/projects/{project.id}/survey", {"score": 5}).status_code == 422
    assert _client(make_client, lot.lead).post_form(f"/t/lot/projects/{project.id}/survey",
                                                    {"score": "2"}).status_code == 302
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        results = services.evaluation(project)
        assert [(r.target.indicator_key, r.target.target_value, r.measured, r.reached) for r in results] == [
            ("concierge.orders", 2.0, 3, True)]
        assert services.satisfaction(project) == (3.0, 2)
    page = admin.get(f"/t/lot/projects/{project.id}").get_data(as_text=True)
    assert "Très pratique" in page and "3.0" in page.replace(",", ".")

    # The committee decides at a meeting: the admin puts the decision on the agenda, members vote, the vote closes.
    meeting_id = admin.post_json("/t/lot/governance/meetings/new", {
        "title": "Comité de pilotage", "starts_at": (utcnow() - timedelta(hours=1)).isoformat()}).get_json()["id"]
    assert admin.post_json(f"/t/lot/governance/meetings/{meeting_id}/items", {
        "title": "Pérenniser la conciergerie", "proposal": "Ouverte à toutes les entreprises",
        "project_id": project.id, "project_outcome": "perennial"}).status_code == 200
    with scoped(lot.territory):
        from coopserv.governance.models import AgendaItem

        item = db.session.scalar(select(AgendaItem).filter_by(project_id=project.id))
        assert (item.majority, item.quorum_percent) == ("simple", 50)  # no charter: the default rule
    for voter, choice in ((committee.mayor, "for"), (committee.boss, "for"), (committee.builder, "abstain")):
        assert _client(make_client, voter).post_json(f"/t/lot/governance/items/{item.id}/vote",
                                                     {"choice": choice}).status_code == 200
    assert lead.post_form(f"/t/lot/governance/items/{item.id}/close").status_code == 403
    closed = admin.post_json(f"/t/lot/governance/items/{item.id}/close")
    assert closed.get_json()["result"] == "adopted"
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        module = get_module("concierge")
        assert (project.stage, project.outcome, module.stage) == ("decided", "perennial", "perennial")
        assert availability(module, lot.outsider).allowed
        decision = project.decisions[0]
        assert (decision.votes_for, decision.votes_against, decision.votes_abstain, decision.agenda_item_id) == \
            (2, 0, 1, item.id)
        assert decision.decided_on == (utcnow() - timedelta(hours=1)).date()  # the meeting's day
        stages = [(e.from_stage, e.to_stage) for e in project.events if e.kind == "stage"]
        assert stages == [(None, "idea"), ("idea", "design"), ("design", "prototype"), ("prototype", "evaluation"),
                          ("evaluation", "decided")]
        kinds = [kind for _at, kind, _item in services.timeline(project) if kind != "edited"]
        assert kinds == ["need", "collective", "flagged", "event", "event", "event", "event", "decision"]
    assert _client(make_client, lot.other_employee).post_form("/t/lot/services/concierge/requests",
                                                              order).status_code == 302
    story = _client(make_client, lot.pilot_employee).get(f"/t/lot/projects/{project.id}").get_data(as_text=True)
    assert "Pressing et courses sur le lieu de travail" in story and "Ouverte à toutes les entreprises" in story
    assert f"/t/lot/governance/meetings/{meeting_id}#item-{item.id}" in story  # the project links to its vote
    report = admin.get(f"/t/lot/projects/{project.id}/report").get_data(as_text=True)
    assert "Pérenniser" in report
    assert f"#item-{item.id}" in report and "À décider en comité de pilotage" not in report


def test_stop_disables_the_module_and_iterate_returns_to_design(make_client, lot, scoped, committee):
    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        services.move(project, "prototype", "Prêt", lot.admin)
        services.move(project, "evaluation", "Fin", lot.admin)
    _decide(lot, scoped, committee, project, "iterate", ("for", "for", "abstain"))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        assert (project.stage, project.outcome) == ("design", "iterate")
        assert get_module("concierge").stage == "prototype"
        configure_module(get_module("concierge"), {"max_items_per_order": 5})
        services.move(project, "prototype", "Deuxième essai", lot.admin)
        assert get_module("concierge").config["max_items_per_order"] == 5  # the territory's settings are kept
    catalogue = add_catalogue(lot.territory)
    order = {f"items.{catalogue.shirt.id}": "1", "slot_id": str(catalogue.tuesday.id),
             "dropoff_date": next_weekday(1).isoformat()}
    assert _client(make_client, lot.pilot_employee).post_form("/t/lot/services/concierge/requests",
                                                              order).status_code == 302
    with scoped(lot.territory):
        services.move(project, "evaluation", "Fin", lot.admin)
    _decide(lot, scoped, committee, project, "stopped", ("for", "for", "against"))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        module = db.session.scalar(select(ServiceModule).filter_by(service_key="concierge"))
        assert (project.stage, project.outcome, module.stage, module.enabled) == ("decided", "stopped", "stopped", False)
        assert not availability(module, lot.pilot).visible
        assert [d.outcome for d in project.decisions] == ["iterate", "stopped"]
        # The pilot's open order is closed, and she is told the committee stopped the service.
        assert db.session.scalar(select(ServiceRequest.status)) == "service_stopped"
    closed = db.session.scalar(select(Notification).where(Notification.user_id == lot.pilot_employee.id,
                                                          Notification.message.startswith("Your request %(ref)s is "
                                                                                          "closed"))
                               .execution_options(**{ALL_TERRITORIES: True}))
    assert closed.params["reason"] == "The steering committee decided to stop this service."


def test_a_decision_is_only_taken_by_a_closed_vote_on_the_project(lot, scoped, committee):
    """apply_vote refuses anything but a closed, counted vote on an agenda item linked to a project in evaluation."""
    from coopserv.governance import services as governance

    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        services.move(project, "prototype", "Prêt", lot.admin)
        services.move(project, "evaluation", "Fin", lot.admin)
        meeting = governance.create_meeting({"title": "Comité", "starts_at": utcnow()}, lot.admin)
        item = governance.add_agenda_item(meeting, {"title": "Pérenniser", "project_id": project.id,
                                                    "project_outcome": "perennial"}, lot.admin)
        with pytest.raises(ValidationError):
            services.apply_vote(item, lot.admin)  # still open
        with pytest.raises(ValidationError) as twice:
            governance.add_agenda_item(meeting, {"title": "Arrêter", "project_id": project.id,
                                                 "project_outcome": "stopped"}, lot.admin)
        assert "project_id" in twice.value.messages  # one open vote per project at a time
        db.session.rollback()
        general = governance.add_agenda_item(meeting, {"title": "Autre", "proposal": "Autre chose",
                                                       "with_vote": True}, lot.admin)
        governance.cast_vote(general, committee.mayor, "for")
        governance.close_vote(general, lot.admin)
        assert db.session.get(ServiceProject, project.id).stage == "evaluation"  # a vote on something else
    assert _count(ProjectDecision) == 0


def test_a_rejected_vote_is_in_the_story_and_the_project_stays_in_evaluation(make_client, lot, scoped, committee):
    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        services.move(project, "prototype", "Prêt", lot.admin)
        services.move(project, "evaluation", "Fin", lot.admin)
        governance_charter(lot, {"perennial": {"quorum_percent": 50, "majority": "two_thirds", "each_college": True}})
    item = _decide(lot, scoped, committee, project, "perennial", ("for", "against", "for"))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        assert (project.stage, project.outcome, project.decisions) == ("evaluation", None, [])
        assert get_module("concierge").stage == "prototype"
        event = project.events[-1]
        assert (event.kind, event.agenda_item_id, event.details["failed_colleges"]) == (
            "not_adopted", item.id, ["companies"])
        kinds = [kind for _at, kind, _item in services.timeline(project)]
        assert kinds[-1] == "not_adopted"
    assert _count(Notification, user_id=lot.lead.id, message="The committee did not adopt the proposal on the "
                  "project “%(title)s”: %(outcome)s. The project stays in evaluation.") == 1
    story = _client(make_client, lot.pilot_employee).get(f"/t/lot/projects/{project.id}").get_data(as_text=True)
    assert "Non adopté par le comité" in story and "collège « Entreprises »" in story
    report = _client(make_client, lot.admin).get(f"/t/lot/projects/{project.id}/report").get_data(as_text=True)
    assert "collège « Entreprises »" in report and "À décider en comité de pilotage" in report
    # The project can still be decided by a later vote.
    _decide(lot, scoped, committee, project, "perennial", ("for", "for", "for"))
    with scoped(lot.territory):
        assert db.session.get(ServiceProject, project.id).stage == "decided"


def governance_charter(lot, rules):
    from coopserv.governance import services as governance

    governance.add_charter_version({"text": "Le comité décide selon les règles ci-dessous, article par article.",
                                    "adopted_on": local_today(), "decision_rules": rules}, lot.admin)


def test_cost_sharing_shows_who_pays_what(make_client, lot, scoped):
    project = _project(lot, scoped, partner_ids=[lot.pilot.id, lot.second.id, lot.authority.id])
    lead = _client(make_client, lot.lead)
    url = f"/t/lot/projects/{project.id}"
    assert lead.post_form(url + "/cost-key", {"running_cost": "30000", "public_share": "40"}).status_code == 302
    assert lead.post_form(url + "/cost-key", {"running_cost": "30000", "public_share": "140"}).status_code == 422
    for data in ({"organization_id": lot.authority.id, "period": "2026", "kind": "money", "amount": "12000"},
                 {"organization_id": lot.pilot.id, "period": "2026", "kind": "staff_days", "amount": "15"},
                 {"organization_id": lot.pilot.id, "period": "2026", "kind": "premises", "amount": "0",
                  "note": "Local de 20 m²"},
                 {"organization_id": lot.second.id, "period": "2027", "kind": "money", "amount": "3000"}):
        assert lead.post_form(url + "/contributions", {k: str(v) for k, v in data.items()}).status_code == 302
    assert lead.post_form(url + "/contributions", {"organization_id": str(lot.pilot.id), "period": "2026",
                                                   "kind": "gold", "amount": "x"}).status_code == 422
    with scoped(lot.territory):
        costs = services.cost_sharing(db.session.get(ServiceProject, project.id))
        shares = {o.name: amount for o, amount in costs["shares"]}
        assert shares == {"Communauté de communes": Decimal("12000.00"), "Conserverie du Quercy": Decimal("9000.00"),
                          "Bouriane Bâtiment": Decimal("9000.00")}
        periods = dict(costs["periods"])
        assert set(periods) == {"2026", "2027"}
        pilot_2026 = periods["2026"][lot.pilot.id]
        assert (pilot_2026["staff_days"], pilot_2026["premises"]) == (Decimal(15), ["Local de 20 m²"])
        assert periods["2027"][lot.second.id]["money"] == Decimal(3000)
    assert "Local de 20 m²" in lead.get(url).get_data(as_text=True)


def test_a_perennial_project_is_replicated_in_another_territory(app, make_client, lot, autun, scoped, committee):
    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        services.move(project, "prototype", "Prêt", lot.admin)
        services.move(project, "evaluation", "Fin", lot.admin)
        services.submit_satisfaction(project, lot.pilot_employee, lot.pilot, {"score": 5, "comment": "Super"})
        early = project.id
    admin = _client(make_client, lot.admin)
    assert admin.get(f"/t/lot/projects/{early}/template.json").status_code == 409
    _decide(lot, scoped, committee, db.session.get(ServiceProject, early), "perennial")
    response = admin.get(f"/t/lot/projects/{early}/template.json")
    assert response.status_code == 200
    template = json.loads(response.get_data(as_text=True))
    assert template["service_key"] == "concierge" and template["indicator_targets"] == [
        {"indicator": "concierge.orders", "target": 2.0}]
    assert template["evaluation"]["satisfaction"] == {"average": 5.0, "answers": 1}
    text = json.dumps(template, ensure_ascii=False)
    for personal in ("Lea Lead", "Paule Pilote", "paule@conserverie.example", "Super", "Conserverie du Quercy",
                     "Maire du Lot"):
        assert personal not in text
    assert _client(make_client, lot.lead).get(f"/t/lot/projects/{early}/template.json").status_code == 403

    # The CLI pair, run through the real `coopserv` command against the test app.
    from flask.cli import ScriptInfo

    from coopserv.cli import main

    class Cli:
        @staticmethod
        def invoke(args):
            return CliRunner().invoke(main, args, obj=ScriptInfo(create_app=lambda: app))

    cli = Cli()
    out = cli.invoke(args=["projects", "export", "lot", str(early)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == template
    path = app.instance_path + "/template.json"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(out.output)
    imported = cli.invoke(args=["projects", "import", "autun-morvan", path])
    assert imported.exit_code == 0, imported.output
    with scoped(autun.territory):
        copy = db.session.scalar(select(ServiceProject))
        assert (copy.stage, copy.service_key, copy.module_id) == ("design", "concierge", None)
        assert [(t.indicator_key, t.target_value) for t in copy.targets] == [("concierge.orders", 2.0)]
        assert "Lot" in copy.origin_text
    assert cli.invoke(args=["projects", "import", "autun-morvan", "/dev/null"]).exit_code != 0

    # The admin page does the same, and refuses what is not a template.
    other_admin = _client(make_client, autun.admin)
    assert other_admin.post_form("/t/autun-morvan/projects/import", {"template": "{}"}).status_code == 422
    assert other_admin.post_form("/t/autun-morvan/projects/import",
                                 {"template": json.dumps({**template, "service_key": "teleport"})}).status_code == 422
    assert _count(ServiceProject, territory_id=autun.territory.id) == 1
    assert other_admin.post_form("/t/autun-morvan/projects/import",
                                 {"template": json.dumps(template)}).status_code == 302
    assert _count(ServiceProject, territory_id=autun.territory.id) == 2


def test_other_territories_reach_no_project_route(make_client, lot, autun, scoped):
    project = _project(lot, scoped, title="Projet secret du Lot")
    routes = [("get", "/projects/"), ("get", "/projects/new"), ("post", "/projects/new"),
              ("get", f"/projects/{project.id}"), ("post", f"/projects/{project.id}/move"),
              ("post", f"/projects/{project.id}/experiment"), ("post", f"/projects/{project.id}/targets"),
              ("post", f"/projects/{project.id}/partners"), ("get", f"/projects/{project.id}/edit"),
              ("post", f"/projects/{project.id}/edit"), ("get", f"/projects/{project.id}/report"),
              ("post", f"/projects/{project.id}/survey"), ("post", f"/projects/{project.id}/contributions"),
              ("post", f"/projects/{project.id}/cost-key"), ("get", f"/projects/{project.id}/template.json"),
              ("get", "/projects/import"), ("post", "/projects/import")]
    for user in (autun.admin, autun.employee):
        outsider = _client(make_client, user)
        for method, path in routes:
            url = "/t/lot" + path
            response = outsider.get(url) if method == "get" else outsider.post_form(url, {"to_stage": "design",
                                                                                        "reason": "x"})
            assert response.status_code in (403, 404), (url, response.status_code)
            assert "Projet secret" not in response.get_data(as_text=True)
        assert outsider.get(f"/t/autun-morvan/projects/{project.id}").status_code == 404
    admin = _client(make_client, autun.admin)
    assert admin.post_form(f"/t/autun-morvan/projects/{project.id}/move",
                           {"to_stage": "design", "reason": "x"}).status_code == 404
    assert "Projet secret" not in admin.get("/t/autun-morvan/projects/").get_data(as_text=True)
    with scoped(lot.territory):
        assert db.session.get(ServiceProject, project.id).stage == "idea"


def test_pages_render(make_client, lot, scoped):
    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    admin = _client(make_client, lot.admin)
    for path in ("/projects/", "/projects/new", f"/projects/{project.id}", "/projects/import"):
        assert admin.get("/t/lot" + path).status_code == 200, path


def test_demo_seeds_one_project_per_territory_at_different_stages(app):
    from coopserv.demo import seed_demo
    from coopserv.needs.models import CampaignAnswer, CollectiveNeed, NeedSupport
    from coopserv.plugin_host import plugin_host

    seed_demo()
    projects = db.session.scalars(select(ServiceProject).execution_options(**{ALL_TERRITORIES: True})).all()
    assert len(projects) == 4
    figeac = next(p for p in projects if p.service_key == "concierge")
    assert (figeac.stage, figeac.outcome, len(figeac.decisions)) == ("decided", "perennial", 1)
    installed = plugin_host().service_types
    stages = {p.title: p.stage for p in projects}
    assert stages == {
        "Conciergerie d'entreprises du Grand-Figeac": "decided",
        "Covoiturage domicile-travail de la vallée de la Turdine": "prototype" if "mobility" in installed else "design",
        "Formation IoT des techniciens": "evaluation" if "iot_training" in installed else "design",
        "Micro-crèche inter-entreprises du Mas de Jouy": "design",
    }
    assert _count(NeedSupport) >= 3 and _count(CampaignAnswer) == 2
    quercy = next(p for p in projects if "Micro-crèche" in p.title)
    assert len(quercy.collective_needs) == 1 and quercy.collective_needs[0].flagged_at is not None
    assert _count(CollectiveNeed) == 1


def test_evaluation_report_compares_targets_with_measures(make_client, figeac, catalogue, order_form):
    """The printable report shows each target, what was measured over the experiment, and the cost per use."""
    from datetime import timedelta

    from coopserv.projects import services as projects
    from coopserv.tenancy import territory_scope

    with territory_scope(figeac.territory):
        project = projects.create_project({"title": "Conciergerie pilote", "origin_text": "Besoin collectif",
                                           "service_key": "concierge"}, actor=figeac.admin)
        project.module_id = figeac.module.id
        project.running_cost = 1200
        project.experiment_start = local_today() - timedelta(days=30)
        project.experiment_end = local_today()
        from coopserv.extensions import db
        from coopserv.projects.models import ProjectTarget

        db.session.add(ProjectTarget(project_id=project.id, indicator_key="concierge.orders", target_value=2))
        db.session.commit()
        project_id = project.id
    employee = make_client()
    employee.login(figeac.employee)
    for _ in range(3):
        assert employee.post_form("/t/figeac/services/concierge/requests", order_form).status_code == 302
    admin = make_client()
    admin.login(figeac.admin)
    page = admin.get(f"/t/figeac/projects/{project_id}/report").get_data(as_text=True)
    assert "<td>3</td>" in page  # three orders measured against a target of 2
    assert "400,00" in page  # 1,200 € a year over 3 uses
    assert "@media print" not in page and "data-print" in page  # printing is wired by coopserv.js (no inline script under the CSP)
    assert admin.get("/t/figeac/projects/99999/report").status_code == 404


def test_a_project_born_without_a_type_gets_one_and_every_edit_is_in_the_story(make_client, lot, scoped):
    """A project from a "Start Up de Territoire" idea has no service type: its lead chooses one, with history."""
    with scoped(lot.territory):
        project = services.create_project({"title": "Garde d'enfants aux horaires décalés",
                                           "origin_text": "Start Up de Territoire — Lot", "lead_id": lot.lead.id},
                                          actor=lot.admin)
    lead = _client(make_client, lot.lead)
    url = f"/t/lot/projects/{project.id}"
    page = lead.get(url).get_data(as_text=True)
    assert f'href="{url}/edit"' in page
    assert lead.get(url + "/edit").status_code == 200
    assert _client(make_client, lot.pilot_employee).post_form(url + "/edit", {"title": "Piraté"}).status_code == 403
    bad = lead.post_form(url + "/edit", {"title": "ab", "service_key": "teleportation"})
    assert bad.status_code == 422 and 'id="title-error"' in bad.get_data(as_text=True)
    unknown = lead.post_json(url + "/edit", {"service_key": "teleportation"})
    assert unknown.status_code == 422 and "service_key" in unknown.get_json()["errors"]
    nul = lead.post_json(url + "/edit", {"title": "Garde\x00d'enfants"})
    assert nul.status_code == 422 and "title" in nul.get_json()["errors"]
    # Only admins hand the project to someone else.
    handed = lead.post_json(url + "/edit", {"lead_id": lot.admin.id})
    assert handed.status_code == 422 and "lead_id" in handed.get_json()["errors"]
    assert lead.post_form(url + "/edit", {"title": "Micro-crèche aux horaires décalés", "summary": "De 5 h à 22 h.",
                                          "service_key": "concierge"}).status_code == 302
    assert lead.post_form(url + "/targets", {"indicator_key": "concierge.orders", "target_value": "12"}).status_code == 302
    assert lead.post_form(url + "/targets", {"indicator_key": "concierge.orders", "target_value": "15"}).status_code == 302
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        assert (project.title, project.summary, project.service_key) == (
            "Micro-crèche aux horaires décalés", "De 5 h à 22 h.", "concierge")
        target_id = project.targets[0].id
    assert lead.post_form(f"{url}/targets/{target_id}/remove").status_code == 302
    assert _client(make_client, lot.admin).post_json(url + "/edit", {"lead_id": lot.admin.id}).status_code == 200
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        assert project.lead_id == lot.admin.id and project.targets == []
        edits = [(e.actor_id, [c["field"] for c in e.details["changes"]]) for e in project.events if e.kind == "edited"]
        assert edits == [(lot.lead.id, ["title", "summary", "service_key"]), (lot.lead.id, ["target"]),
                         (lot.lead.id, ["target"]), (lot.lead.id, ["target_removed"]), (lot.admin.id, ["lead"])]
        assert project.events[1].details["changes"][0] == {"field": "title", "old": "Garde d'enfants aux horaires "
                                                           "décalés", "new": "Micro-crèche aux horaires décalés"}
    story = unescape(_client(make_client, lot.pilot_employee).get(url).get_data(as_text=True))
    assert "titre changé de « Garde d'enfants aux horaires décalés » en « Micro-crèche aux horaires décalés »" in story
    assert "Conciergerie inter-entreprises" in story  # the chosen type, by its label


def test_the_service_type_and_targets_are_fixed_once_the_prototype_opens(make_client, lot, scoped):
    project = _ready_for_prototype(lot, scoped, _project(lot, scoped))
    lead = _client(make_client, lot.lead)
    assert lead.post_form(f"/t/lot/projects/{project.id}/move", {"to_stage": "prototype",
                                                                 "reason": "Prêt"}).status_code == 302
    refused = lead.post_json(f"/t/lot/projects/{project.id}/edit", {"service_key": "mobility"})
    assert refused.status_code == 422 and "service_key" in refused.get_json()["errors"]
    target = lead.post_json(f"/t/lot/projects/{project.id}/targets", {"indicator_key": "concierge.orders",
                                                                      "target_value": 99})
    assert target.status_code == 422
    assert lead.post_json(f"/t/lot/projects/{project.id}/edit", {"title": "Conciergerie de la ZA du Lot"}
                          ).status_code == 200
    with scoped(lot.territory):
        project = db.session.get(ServiceProject, project.id)
        assert (project.service_key, project.targets[0].target_value) == ("concierge", 2.0)
        assert project.title == "Conciergerie de la ZA du Lot"


def _stage_sections(page):
    """{stage: (state, open)} read from the project page's folded stage sections."""
    import re

    return {key: (state, bool(opened)) for state, key, opened in
            re.findall(r'<details class="stage stage-(\w+)" id="stage-(\w+)"( open)?>', page)}


def test_project_page_is_a_stepper_with_the_next_action_first(make_client, lot, scoped):
    project = _project(lot, scoped)
    with scoped(lot.territory):
        services.move(db.session.get(ServiceProject, project.id), "design", "Étude lancée", lot.admin)
    lead = _client(make_client, lot.lead)
    page = lead.get(f"/t/lot/projects/{project.id}").get_data(as_text=True)
    # One section per stage: the ones behind are done and folded, the current one open, the rest to come.
    assert _stage_sections(page) == {"idea": ("done", False), "design": ("current", True),
                                     "prototype": ("todo", False), "evaluation": ("todo", False),
                                     "decided": ("todo", False)}
    assert page.count('aria-current="step"') == 1 and '<a href="#stage-design">Conception</a>' in page
    # The next action comes first: what is left before the prototype, and the way to it.
    next_action = page[page.index('id="next-action"'):page.index('<h2 id="stages-title"')]
    assert "Choisissez au moins une organisation pilote." in next_action and 'href="#stage-design"' in next_action
    assert 'id="move"' in page and 'name="to_stage" value="prototype"' in page
    # Whoever may not move the project sees where it stands, without the forms.
    employee_page = _client(make_client, lot.pilot_employee).get(f"/t/lot/projects/{project.id}").get_data(as_text=True)
    assert 'id="move"' not in employee_page and _stage_sections(employee_page)["design"] == ("current", True)
    assert 'class="glossary"' in page and 'id="glossary-service-perennial"' in page  # names shared with services

    today = local_today()
    with scoped(lot.territory):
        designed = db.session.get(ServiceProject, project.id)
        services.set_experiment(designed, {"experiment_start": today, "experiment_end": today + timedelta(days=60),
                                           "pilot_ids": [lot.pilot.id]}, lot.admin)
        services.set_target(designed, {"indicator_key": "concierge.orders", "target_value": 2}, lot.admin)
    # No committee in this territory yet: the move says so, and is acknowledged (main's first-run rule).
    assert lead.post_form(f"/t/lot/projects/{project.id}/move",
                          {"to_stage": "prototype", "reason": "Prêt", "no_committee_yet": "true"}).status_code == 302
    page = lead.get(f"/t/lot/projects/{project.id}").get_data(as_text=True)
    sections = _stage_sections(page)
    assert sections["design"] == ("done", False) and sections["prototype"] == ("current", True)
    next_action = page[page.index('id="next-action"'):page.index('<h2 id="stages-title"')]
    assert 'href="/t/lot/services/concierge"' in next_action and 'href="#move"' in next_action  # the service it opened
    assert 'name="to_stage" value="evaluation"' in page
    # A failed form reopens its stage's section, with the error beside it.
    failed = lead.post_form(f"/t/lot/projects/{project.id}/move", {"to_stage": "evaluation", "reason": ""})
    assert failed.status_code == 422 and _stage_sections(failed.get_data(as_text=True))["prototype"] == ("current", True)
    # The portal's services share the same glossary of stage names.
    assert 'id="glossary-service-prototype"' in lead.get("/t/lot/").get_data(as_text=True)
