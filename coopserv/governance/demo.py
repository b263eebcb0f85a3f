"""Demo governance: Grand Quercy's committee and business leaders' meeting, Figeac's Start Up de Territoire."""
from datetime import time, timedelta
from decimal import Decimal

from coopserv.accounts.models import EMPLOYEE, GOVERNANCE_MEMBER, Membership
from coopserv.demo_accounts import create_demo_user
from coopserv.extensions import db
from coopserv.timeutil import combine, local_today

from . import events, risks, services
from .models import DONE, IN_PROGRESS, LEADERS_MEETING, STARTUP_EVENING


CHARTER = """Article 1 — Objet. Le comité de pilotage réunit collectivités, entreprises et associations du territoire pour
co-construire des services aux salariés à partir de leurs besoins.
Article 2 — Composition. Au moins la moitié des membres viennent des entreprises et des associations.
Article 3 — Décisions. Le comité décide à la majorité des suffrages exprimés, avec un quorum de la moitié
des membres ; la pérennisation d'un service demande les deux tiers et une majorité dans chaque collège.
Article 4 — Engagements. Chaque signataire précise sa contribution : financement, temps de ses équipes, locaux,
et pour les prestataires un engagement de qualité."""


#: What Article 3 of the demo charter says, as the rules votes take: perennialisation needs two thirds
#: and a majority in each college; stopping a service, two thirds; the rest, a simple majority.
CHARTER_RULES = {
    "perennial": {"quorum_percent": 50, "majority": "two_thirds", "each_college": True},
    "stopped": {"quorum_percent": 50, "majority": "two_thirds", "each_college": False},
    "iterate": {"quorum_percent": 50, "majority": "simple", "each_college": False},
    "general": {"quorum_percent": 50, "majority": "simple", "each_college": False},
}


def _member(territory, handle, name, organization, role=GOVERNANCE_MEMBER):
    user = create_demo_user(name, f"{handle}@{territory.slug}.demo")
    db.session.add(Membership(user_id=user.id, role=role, organization_id=organization.id if organization else None))
    if organization is not None and organization.kind == "company":
        db.session.add(Membership(user_id=user.id, role=EMPLOYEE, organization_id=organization.id))
    db.session.commit()
    return user


def seed_demo(territory, organizations, users):
    """Seed the territory's governance when the demo tells a governance story there."""
    if territory.slug == "grand-quercy":
        _seed_grand_quercy(territory, organizations, users)
    elif territory.slug == "figeac":
        _seed_figeac(territory, organizations, users)
        _seed_figeac_decision(territory, organizations, users)
    elif territory.slug == "autun-morvan":
        _seed_autun_vote(territory, organizations, users)


def _project_in_evaluation():
    from sqlalchemy import select

    from coopserv.projects.models import EVALUATION, ServiceProject

    return db.session.scalar(select(ServiceProject).filter_by(stage=EVALUATION).order_by(ServiceProject.id))


def _vote_on_project(project, meeting, outcome, title, proposal, ballots, admin):
    """Put a project's decision to the vote under the charter's rule, collect the ballots, close and count."""
    item = services.add_agenda_item(meeting, {"title": title, "proposal": proposal, "project_id": project.id,
                                              "project_outcome": outcome}, admin)
    for voter, choice in ballots:
        services.cast_vote(item, voter, choice)
    services.close_vote(item, admin)
    return item


def _seed_figeac_decision(territory, organizations, users):
    """Figeac's committee makes its concierge perennial by a recorded vote (two thirds, every college)."""
    project = _project_in_evaluation()
    if project is None:  # the concierge plugin is not installed
        return
    admin = users["admin"]
    elected = _member(territory, "elu", "Vincent Labarthe (Grand-Figeac)", organizations["Grand-Figeac"])
    officer = _member(territory, "chargee-mission", "Claire Issaly (Grand-Figeac)", organizations["Grand-Figeac"])
    aero = _member(territory, "dirigeant-aero", "Marc Delmas (Figeac Aéro)", organizations["Figeac Aéro"])
    ratier = _member(territory, "dirigeante-ratier", "Anne Couderc (Ratier-Figeac)", organizations["Ratier-Figeac"])
    welcome = _member(territory, "presidente-accueil", "Élise Fabre (Figeac Accueil)", organizations["Figeac Accueil"])
    today = local_today()
    services.add_charter_version({"text": CHARTER, "adopted_on": today - timedelta(days=240),
                                  "decision_rules": CHARTER_RULES}, admin)
    meeting = services.create_meeting({"title": "Comité de pilotage — bilan de la conciergerie",
                                       "starts_at": combine(today - timedelta(days=3), time(17, 30)),
                                       "place": "Hôtel de communauté, Figeac"}, admin)
    services.set_attendance(meeting, [elected.id, officer.id, aero.id, ratier.id, welcome.id], admin)
    _vote_on_project(project, meeting, "perennial", "Pérennisation de la conciergerie d'entreprises",
                     "Le service répond au besoin : il est ouvert à toutes les entreprises du Grand-Figeac.",
                     [(elected, "for"), (officer, "for"), (aero, "for"), (ratier, "abstain"), (welcome, "for")], admin)
    services.save_minutes(meeting, {"minutes": "Cinq membres présents. La conciergerie est pérennisée : quatre voix "
                                               "pour et une abstention, une majorité dans chaque collège."}, admin)


def _seed_autun_vote(territory, organizations, users):
    """Autun Morvan's committee does not make the IoT training perennial: the companies' college is split."""
    project = _project_in_evaluation()
    if project is None:  # the IoT training plugin is not installed
        return
    admin = users["admin"]
    authority = organizations["Grand Autunois Morvan"]
    elected = _member(territory, "elue", "Sylvie Bernard (Grand Autunois Morvan)", authority)
    officer = _member(territory, "charge-mission", "Thomas Girard (Grand Autunois Morvan)", authority)
    nexans = _member(territory, "dirigeant-nexans", "Patrick Moreau (Nexans Autun)", organizations["Nexans Autun"])
    morvan = _member(territory, "dirigeante-morvan", "Lucie Perrin (Morvan Électronique)",
                     organizations["Morvan Électronique"])
    today = local_today()
    services.add_charter_version({"text": CHARTER, "adopted_on": today - timedelta(days=300),
                                  "decision_rules": CHARTER_RULES}, admin)
    meeting = services.create_meeting({"title": "Comité de pilotage — évaluation de la formation IoT",
                                       "starts_at": combine(today - timedelta(days=7), time(14, 0)),
                                       "place": "Maison de l'entreprise, Autun"}, admin)
    services.set_attendance(meeting, [elected.id, officer.id, nexans.id, morvan.id], admin)
    _vote_on_project(project, meeting, "perennial", "Pérennisation de la formation IoT des techniciens",
                     "Ouvrir la formation IoT à toutes les entreprises du territoire dès la rentrée.",
                     [(elected, "for"), (officer, "for"), (nexans, "for"), (morvan, "against")], admin)
    services.save_minutes(meeting, {"minutes": "Trois voix pour, une contre : les deux tiers sont atteints mais le "
                                               "collège des entreprises n'a pas donné de majorité. La formation reste "
                                               "en évaluation ; Morvan Électronique demande des sessions plus courtes."},
                          admin)
    services.add_action(meeting, {"title": "Proposer un format de sessions d'une demi-journée",
                                  "owner_id": morvan.id, "due_on": today + timedelta(days=30)}, admin)


def _seed_grand_quercy(territory, organizations, users):
    admin = users["admin"]
    authority = organizations["Communauté de communes Quercy-Bouriane"]
    cannery = organizations["Conserverie du Quercy"]
    builder = organizations["Bouriane Bâtiment"]
    club = organizations["Club des entrepreneurs de Bouriane"]
    mayor = _member(territory, "elue", "Martine Delpech (vice-présidente)", authority)
    technician = _member(territory, "technicien", "Julien Vayssié (chargé de mission)", authority)
    leader = _member(territory, "dirigeant-conserverie", "Hélène Cassagnes (Conserverie)", cannery)
    builder_boss = _member(territory, "dirigeant-batiment", "Pierre Lacombe (Bouriane Bâtiment)", builder)
    club_chair = _member(territory, "president-club", "Nadia Bouzid (Club des entrepreneurs)", club)
    services.save_settings({"min_private_share": 50}, admin)

    today = local_today()
    services.add_charter_version({"text": CHARTER, "adopted_on": today - timedelta(days=120),
                                  "decision_rules": CHARTER_RULES}, admin)
    for organization, funding, days, premises, pledge in (
            (authority, Decimal(15000), 20, "Salle du conseil pour les réunions", ""),
            (cannery, Decimal(3000), 6, "", ""),
            (club, Decimal(0), 10, "", "Animation du réseau et relais auprès des adhérents")):
        services.sign_charter({"organization_id": organization.id, "funding_amount": funding, "staff_days": days,
                               "premises": premises, "quality_pledge": pledge}, admin)

    past = combine(today - timedelta(days=30), time(18, 0))
    meeting = services.create_meeting({"title": "Rencontre des dirigeants — comité de pilotage", "starts_at": past,
                                       "place": "Salle du conseil, Gourdon"}, admin)
    services.set_attendance(meeting, [mayor.id, leader.id, builder_boss.id, club_chair.id], admin)
    study = services.add_agenda_item(meeting, {
        "title": "Étude de faisabilité d'une micro-crèche inter-entreprises",
        "proposal": "Lancer l'étude avec la Conserverie et Bouriane Bâtiment, budget 4 000 €.",
        "with_vote": True, "quorum_percent": 50, "majority": "simple", "each_college": True}, admin)
    for voter, choice in ((mayor, "for"), (leader, "for"), (builder_boss, "for"), (club_chair, "for")):
        services.cast_vote(study, voter, choice)
    services.close_vote(study, admin)
    shuttle = services.add_agenda_item(meeting, {
        "title": "Navette gare de Gourdon – ZA du Mas de Jouy",
        "proposal": "Financer une navette aux heures d'équipe pendant six mois.",
        "with_vote": True, "quorum_percent": 50, "majority": "two_thirds"}, admin)
    for voter, choice in ((mayor, "for"), (leader, "against"), (builder_boss, "for"), (club_chair, "against")):
        services.cast_vote(shuttle, voter, choice)
    services.close_vote(shuttle, admin)
    services.add_agenda_item(meeting, {"title": "Tour de table des besoins remontés par les entreprises"}, admin)
    services.add_action(meeting, {"title": "Réunir les devis pour l'étude micro-crèche", "owner_id": technician.id,
                                  "due_on": today - timedelta(days=5)}, admin)
    done = services.add_action(meeting, {"title": "Diffuser le compte rendu aux adhérents du club",
                                         "owner_id": club_chair.id, "due_on": today - timedelta(days=20)}, admin)
    services.set_action_status(done, DONE, admin)
    going = services.add_action(meeting, {"title": "Recenser les horaires d'équipe de la ZA", "owner_id": leader.id,
                                          "due_on": today + timedelta(days=15)}, admin)
    services.set_action_status(going, IN_PROGRESS, admin)
    services.save_minutes(meeting, {"minutes": "Quatre membres présents sur cinq. L'étude micro-crèche est lancée ; "
                                               "la navette n'obtient pas les deux tiers et sera retravaillée."}, admin)

    upcoming = services.create_meeting({"title": "Comité de pilotage de printemps",
                                        "starts_at": combine(today + timedelta(days=21), time(18, 30)),
                                        "place": "Conserverie du Quercy, Gourdon"}, admin)
    services.send_invitations(upcoming, admin)
    from sqlalchemy import select

    from coopserv.needs.models import CollectiveNeed

    collective = db.session.scalar(select(CollectiveNeed).where(CollectiveNeed.flagged_at.is_not(None)).limit(1))
    if collective is not None:  # the needs demo's collective need, past its threshold
        services.put_collective_on_agenda(collective, admin)
    services.add_agenda_item(upcoming, {
        "title": "Adhésion de nouvelles entreprises au comité",
        "proposal": "Ouvrir deux sièges supplémentaires au collège des entreprises.",
        "with_vote": True, "quorum_percent": 50, "majority": "simple"}, admin)

    for title, category, likelihood, impact, mitigation, owner, days in (
            ("Le dirigeant moteur de la démarche quitte le territoire", "leader_leaves", 2, 4,
             "Binôme entreprise–collectivité sur chaque projet ; comptes rendus partagés.", technician, 60),
            ("Fin du financement de la communauté de communes", "funding_ends", 3, 5,
             "Clé de répartition public/privé dès le prototype ; recherche de cofinancements.", mayor, -10),
            ("Les entreprises se désengagent après l'étude", "companies_disengage", 3, 3,
             "Points d'étape trimestriels avec les dirigeants.", club_chair, 30),
            ("Le service est peu utilisé par les salariés", "low_use", 2, 4,
             "Indicateurs d'usage suivis pendant l'expérimentation ; enquête de satisfaction.", leader, 45)):
        risks.save_risk({"title": title, "category": category, "likelihood": likelihood, "impact": impact,
                            "mitigation": mitigation, "owner_id": owner.id,
                            "review_on": today + timedelta(days=days)}, actor=admin)

    leaders = events.create_event({"kind": LEADERS_MEETING, "title": "Petit-déjeuner des dirigeants de Bouriane",
                                   "starts_at": combine(today + timedelta(days=10), time(8, 0)),
                                   "place": "Club des entrepreneurs, Gourdon",
                                   "description": "Présentation de la démarche et des premiers besoins."}, admin)
    for person, organization in ((leader, cannery), (builder_boss, builder), (club_chair, club)):
        events.register(leaders, person, organization)


def _seed_figeac(territory, organizations, users):
    admin = users["admin"]
    evening = events.create_event({
        "kind": STARTUP_EVENING, "title": "Start Up de Territoire — Figeac",
        "starts_at": combine(local_today() - timedelta(days=14), time(18, 30)),
        "place": "Espace Mitterrand, Figeac",
        "description": "Une soirée pour faire émerger des projets de services entre entreprises, élus et associations."},
        admin)
    aero, ratier = organizations["Figeac Aéro"], organizations["Ratier-Figeac"]
    welcome = organizations["Figeac Accueil"]
    guests = [
        _member(territory, "participant-aero", "Sophie Marty (Figeac Aéro)", aero, role=EMPLOYEE),
        _member(territory, "participant-ratier", "Karim Benali (Ratier-Figeac)", ratier, role=EMPLOYEE),
        _member(territory, "participant-accueil", "Élodie Roques (Figeac Accueil)", welcome, role=EMPLOYEE),
    ]
    people = [users["referent"], users["employee"], *guests]
    for person in [admin, *people]:
        events.register(evening, person)
    pitches = [
        (guests[0], "Covoiturage des équipes de nuit",
         "Les équipes de nuit de la ZA de l'Aiguille n'ont aucun bus : une appli de covoiturage entre collègues."),
        (guests[2], "Accueil des conjoints des nouveaux salariés",
         "Aider les conjoints à trouver un emploi et un réseau pour que les recrues restent à Figeac."),
        (guests[1], "Garde d'enfants aux horaires décalés",
         "Une micro-crèche ou des assistantes maternelles ouvertes de 5 h à 22 h pour les postés."),
        (users["employee"], "Atelier vélo sur la zone d'activité",
         "Réparer et prêter des vélos à assistance électrique pour venir travailler."),
    ]
    ideas = [events.submit_idea(evening, author, {"title": title, "pitch": pitch}) for author, title, pitch in pitches]
    votes = {0: people, 1: people[:4], 2: people[1:4], 3: people[4:]}
    for index, voters in votes.items():
        for voter in voters:
            events.vote_for_idea(ideas[index], voter)
