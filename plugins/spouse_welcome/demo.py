"""Demo data for Figeac's spouse welcome: hiring needs, one family settled last year, one arriving soon."""
from datetime import timedelta

from sqlalchemy import select

from coopserv.plugin_api import apply_transition, db, employer_of, local_today, submit_request, utcnow

from .models import Case, FollowUp, HiringNeed, Introduction
from .services import opened_by

HIRING_NEEDS = [
    ("Menuiserie du Célé", "Menuisier agenceur", "Bois", "Pose d'agencements intérieurs, CDI, permis B."),
    ("Ratier-Figeac", "Technicien contrôle qualité", "Aéronautique", "Contrôle tridimensionnel, anglais technique."),
    ("Figeac Aéro", "Opérateur sur machine à commande numérique", "Aéronautique", "Équipe de jour, formation interne."),
    ("Grand-Figeac", "Assistant ressources humaines", "Collectivité", "Paie et recrutements, temps plein."),
]


def seed(module, organizations, users):
    """Add hiring needs and two families: one settled a year ago (hired, still here), one arriving soon."""
    for company, profession, sector, description in HIRING_NEEDS:
        if company in organizations:
            db.session.add(HiringNeed(organization_id=organizations[company].id, profession=profession, sector=sector,
                                      description=description))
    db.session.commit()
    employee, operator, referent = users.get("employee"), users.get("operator"), users.get("referent")
    if employee is None or operator is None:
        return
    ratier = organizations.get("Ratier-Figeac")
    settled_family = _ratier_employee(ratier) if ratier is not None else None
    if settled_family is not None:
        _settled_case(module, settled_family, ratier, operator, organizations)
    _arriving_case(module, employee, referent, operator, organizations)


def _ratier_employee(ratier):
    """A second employee, at Ratier-Figeac, whose family arrived last year."""
    from coopserv.plugin_api import Membership, create_demo_user

    user = create_demo_user("Nicolas Roussel", "nicolas.roussel@figeac.demo")
    db.session.add(Membership(user_id=user.id, role="employee", organization_id=ratier.id))
    db.session.commit()
    return user


def _settled_case(module, family, ratier, operator, organizations):
    payload = {"partner_first_name": "Élodie", "profession": "Assistante ressources humaines",
               "skills": "Paie, recrutement, droit du travail ; 8 ans en cabinet à Toulouse.",
               "languages": "français, anglais", "sectors": "Collectivité, Aéronautique",
               "housing_needs": "Maison à louer, 3 chambres, Figeac ou Capdenac-Gare.", "children_ages": "6",
               "arrival_date": (local_today() + timedelta(days=30)).isoformat()}
    request = submit_request(module, family, ratier, payload)
    case = db.session.scalar(select(Case).filter_by(request_id=request.id))
    case.referent_id = operator.id
    for step in ("start", "settle"):
        apply_transition(request, step, operator, may_operate=True)
    # Move the story fourteen months back so the indicators have a year of history.
    shift = timedelta(days=425)
    request.created_at -= shift
    for change in request.history:
        change.at -= shift
    case.created_at -= shift
    case.closed_at = utcnow() - timedelta(days=200)
    case.arrival_date -= shift
    request.payload = dict(request.payload, arrival_date=case.arrival_date.isoformat())
    for step in case.steps:
        step.due_date -= shift
        step.done_at = utcnow() - shift + timedelta(days=40)
    grand_figeac = organizations.get("Grand-Figeac")
    if grand_figeac is not None:
        db.session.add_all([
            Introduction(case_id=case.id, organization_id=grand_figeac.id, sent_by_id=operator.id,
                         sent_at=request.created_at + timedelta(days=12), outcome="hired",
                         outcome_at=request.created_at + timedelta(days=50),
                         notes="CV transmis à la DRH ; poste d'assistante RH pourvu."),
            Introduction(case_id=case.id, organization_id=ratier.id, sent_by_id=operator.id,
                         sent_at=request.created_at + timedelta(days=15), outcome="declined",
                         outcome_at=request.created_at + timedelta(days=30)),
            FollowUp(case_id=case.id, still_in_territory=True, partner_working=True, recorded_by_id=operator.id,
                     notes="Famille installée à Figeac, enfant scolarisé à l'école Jean-Moulin."),
        ])
    db.session.commit()


def _arriving_case(module, employee, referent, operator, organizations):
    payload = {"partner_first_name": "Thomas", "profession": "Menuisier agenceur",
               "skills": "Agencement de magasins, lecture de plans, pose de cuisines.",
               "languages": "français, espagnol", "sectors": "Bois, Aéronautique",
               "housing_needs": "Location d'une maison avec jardin près d'une école, budget 900 € par mois.",
               "children_ages": "2, 7", "arrival_date": (local_today() + timedelta(days=24)).isoformat()}
    with opened_by(referent or employee):
        request = submit_request(module, employee, employer_of(employee), payload)
    case = db.session.scalar(select(Case).filter_by(request_id=request.id))
    case.referent_id = operator.id
    apply_transition(request, "start", operator, may_operate=True)
    first_meeting = next((step for step in case.steps if step.code == "first_meeting"), None)
    if first_meeting is not None:
        first_meeting.done_at = utcnow()
    menuiserie = organizations.get("Menuiserie du Célé")
    if menuiserie is not None:
        db.session.add(Introduction(case_id=case.id, organization_id=menuiserie.id, sent_by_id=operator.id,
                                    outcome="interview", outcome_at=utcnow(),
                                    notes="Entretien prévu avec le gérant la semaine de l'arrivée."))
    db.session.commit()
