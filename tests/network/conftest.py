"""A network over Figeac and Autun (ADEFPAT's, in small), and another network over Lot that must stay apart."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from coopserv.extensions import db
from coopserv.tenancy import territory_scope
from coopserv.timeutil import local_today


@pytest.fixture
def lot(make_territory, make_organization, make_user, enable_module):
    territory = make_territory("lot", "Lot")
    company = make_organization(territory, "Fournil de Gourdon", employee_count=5)
    enable_module(territory, "concierge", stage="perennial")
    return SimpleNamespace(territory=territory, company=company,
                           admin=make_user(territory, "territory_admin", email="admin@lot.example"),
                           employee=make_user(territory, "employee", company, email="salarie@lot.example"))


def decided_project(territory, module, title, outcome="perennial", admin=None, target=20.0):
    """A project the committee decided on, written directly (how the decision was reached is not the point here)."""
    from coopserv.projects.models import ProjectDecision, ProjectEvent, ProjectTarget, ServiceProject

    with territory_scope(territory):
        project = ServiceProject(title=title, summary="Pressing et paniers sur la zone d'activité.",
                                 origin_text="Rencontre des dirigeants", service_key="concierge", stage="decided",
                                 outcome=outcome, module_id=module.id, running_cost=30000, public_share=40,
                                 experiment_start=local_today() - timedelta(days=120),
                                 experiment_end=local_today() - timedelta(days=10))
        project.targets.append(ProjectTarget(indicator_key="concierge.orders", target_value=target))
        project.events.append(ProjectEvent(from_stage="evaluation", to_stage="decided", reason="Vote du comité"))
        project.decisions.append(ProjectDecision(outcome=outcome, decided_on=local_today() - timedelta(days=5),
                                                 votes_for=9, votes_against=1, votes_abstain=2))
        db.session.add(project)
        db.session.commit()
        return project


@pytest.fixture
def network(app, figeac, autun, lot, make_user):
    from coopserv.network import services

    adefpat = services.create_network({"slug": "adefpat", "name": "Réseau ADEFPAT", "description": "Quatre territoires"})
    services.add_territory(adefpat, figeac.territory)
    services.add_territory(adefpat, autun.territory)
    coordinator_org = services.add_partner(adefpat, "ADEFPAT", "coordinator")
    aradel = services.add_partner(adefpat, "ARADEL", "co_organiser")
    coordinator = make_user(name="Coordinatrice ADEFPAT", email="coordination@adefpat.example")
    services.add_coordinator(adefpat, coordinator, coordinator_org)
    other = services.create_network({"slug": "causses", "name": "Réseau des Causses"})
    services.add_territory(other, lot.territory)
    other_coordinator = make_user(name="Coordinateur Causses", email="coordination@causses.example")
    services.add_coordinator(other, other_coordinator)
    return SimpleNamespace(network=adefpat, other=other, coordinator=coordinator, other_coordinator=other_coordinator,
                           adefpat=coordinator_org, aradel=aradel, figeac=figeac, autun=autun, lot=lot,
                           seminar_day=local_today() + timedelta(days=30))


@pytest.fixture
def login(make_client):
    def factory(user):
        client = make_client()
        client.login(user)
        return client

    return factory
