"""Demo projects: one per territory of the original experiment, each at a different stage."""
from datetime import timedelta
from decimal import Decimal

from coopserv.accounts.models import Membership
from coopserv.extensions import db
from coopserv.needs import services as needs
from coopserv.plugin_host import plugin_host
from coopserv.timeutil import utcnow

from .evaluation import add_contribution, set_cost_key, submit_satisfaction
from .models import DESIGN, EDITED, EVALUATION, IDEA, PROTOTYPE
from .stages import create_project, has_committee, move, set_experiment, set_target

#: slug -> (title, summary, service key, pilot names, partner names, stage to reach).
#: Projects stop at evaluation at most: decisions come from the committee's votes (see governance.demo).
DEMO_PROJECTS = {
    "figeac": ("Conciergerie d'entreprises du Grand-Figeac",
               "Pressing, retouches et paniers locaux déposés sur la ZA de l'Aiguille.", "concierge",
               ["Figeac Aéro"], ["Figeac Aéro", "Ratier-Figeac", "Grand-Figeac"], EVALUATION),
    "ouest-rhodanien": ("Covoiturage domicile-travail de la vallée de la Turdine",
                        "Des équipages entre Tarare et les ZA, avec un retour garanti.", "mobility",
                        ["Textiles de Tarare", "Plasturgie Val de Turdine"],
                        ["Textiles de Tarare", "Plasturgie Val de Turdine", "Communauté de l'Ouest Rhodanien"],
                        PROTOTYPE),
    "autun-morvan": ("Formation IoT des techniciens", "Des modules courts sur les capteurs pour l'industrie locale.",
                     "iot_training", ["Nexans Autun", "Morvan Électronique"],
                     ["Nexans Autun", "Morvan Électronique", "Grand Autunois Morvan"], EVALUATION),
    "grand-quercy": ("Micro-crèche inter-entreprises du Mas de Jouy",
                     "Des places aux horaires des équipes de la ZA.", "childminder_house", [],
                     ["Conserverie du Quercy", "Bouriane Bâtiment", "Communauté de communes Quercy-Bouriane"],
                     DESIGN),
}


def seed_demo(territory, organizations, users):
    """One project per demo territory, each at a different stage (needs first for Grand Quercy)."""
    from coopserv.accounts.models import COMPANY_REFERENT, EMPLOYEE
    from coopserv.demo_accounts import create_demo_user

    spec = DEMO_PROJECTS.get(territory.slug)
    if spec is None:
        return None
    title, summary, key, pilot_names, partner_names, goal = spec
    admin = users["admin"]
    collectives = []
    if territory.slug == "grand-quercy":
        people = {}
        for name in ("Conserverie du Quercy", "Bouriane Bâtiment"):
            handle = "bouriane" if name == "Bouriane Bâtiment" else "conserverie"
            if name == "Conserverie du Quercy":
                people[name] = (users["referent"], users["employee"])
                continue
            referent = create_demo_user(f"Référent {name}", f"referent-{handle}@{territory.slug}.demo")
            employee = create_demo_user(f"Salarié {name}", f"employee-{handle}@{territory.slug}.demo")
            organization = organizations[name]
            db.session.add_all([Membership(user_id=referent.id, role=COMPANY_REFERENT, organization_id=organization.id),
                                Membership(user_id=referent.id, role=EMPLOYEE, organization_id=organization.id),
                                Membership(user_id=employee.id, role=EMPLOYEE, organization_id=organization.id)])
            db.session.commit()
            people[name] = (referent, employee)
        collectives = [needs.seed_demo_needs(organizations, users, people)]
    installed = key in plugin_host().service_types
    start = utcnow() - timedelta(days=200)
    project = create_project({"title": title, "summary": summary, "service_key": key if installed else None,
                              "collective_need_ids": [c.id for c in collectives],
                              "origin_text": "" if collectives else "Rencontre des dirigeants du territoire",
                              "partner_ids": [organizations[n].id for n in partner_names]}, actor=admin, at=start)
    if goal == IDEA:
        return project
    move(project, DESIGN, "Le comité de pilotage lance l'étude de faisabilité.", admin, at=start + timedelta(days=20))
    if goal == DESIGN or not installed:
        return project
    experiment_start = (start + timedelta(days=60)).date()
    set_experiment(project, {"experiment_start": experiment_start,
                             "experiment_end": experiment_start + timedelta(days=120),
                             "pilot_ids": [organizations[n].id for n in pilot_names]}, admin)
    for indicator_key in [k for k, i in plugin_host().indicators.items() if i.service_key == key][:2]:
        set_target(project, {"indicator_key": indicator_key, "target_value": 20}, admin)
    _backdate_edits(project, start + timedelta(days=45))
    set_cost_key(project, {"running_cost": 30000, "public_share": 40}, admin)
    public = next((n for n in partner_names if organizations[n].kind == "local_authority"), partner_names[0])
    add_contribution(project, {"organization_id": organizations[public].id, "period": str(experiment_start.year),
                               "kind": "money", "amount": Decimal(12000), "note": ""}, admin)
    add_contribution(project, {"organization_id": organizations[pilot_names[0]].id,
                               "period": str(experiment_start.year), "kind": "staff_days", "amount": Decimal(15),
                               "note": "Référente RH"}, admin)
    if not has_committee():  # governance first: the admin sits on the committee until it is formed
        from coopserv.governance.services import add_member

        add_member({"user_id": admin.id}, admin)
    move(project, PROTOTYPE, "Partenaires, période d'essai et objectifs fixés.", admin,
         at=start + timedelta(days=55))
    if goal == PROTOTYPE:
        return project
    move(project, EVALUATION, "Fin de la période d'essai.", admin, at=start + timedelta(days=185))
    employee_org = organizations[pilot_names[0]]
    submit_satisfaction(project, users["employee"], employee_org, {"score": 4, "comment": "Pratique et fiable."})
    return project


def _backdate_edits(project, at):
    """Date the demo's preparation steps when they happened in its story, not when the demo ran."""
    for event in project.events:
        if event.kind == EDITED and event.at > at:
            event.at = at
    db.session.commit()
