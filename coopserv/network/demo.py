"""Demo network: ADEFPAT coordinating the four territories, ARADEL co-organising the guide's eight seminars."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from coopserv.accounts.models import ACTIVE, GOVERNANCE_MEMBER, TERRITORY_ADMIN, Membership, User
from coopserv.demo_accounts import create_demo_user
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.territories.models import Territory
from coopserv.timeutil import local_today

from . import events, practices, services

COORDINATOR_EMAIL = "coordination@adefpat.demo"

#: The seminars of exchange and capitalisation of the guide's timeline: (day, place, host territory, theme).
SEMINARS = [
    (date(2017, 10, 12), "Autun", "autun-morvan", "Lancement : les besoins des entreprises, la méthode"),
    (date(2018, 1, 25), "Figeac", "figeac", "Recueillir les besoins des salariés et des dirigeants"),
    (date(2018, 5, 17), "Gourdon", "grand-quercy", "La gouvernance partagée : comité de pilotage et charte"),
    (date(2018, 9, 20), "Tarare", "ouest-rhodanien", "Prototyper petit : la mobilité dans les zones d'activité"),
    (date(2019, 1, 24), "Lyon / Valence", None, "Indicateurs partagés et évaluation des expérimentations"),
    (date(2019, 4, 11), "Figeac", "figeac", "Pérenniser un service : la conciergerie inter-entreprises"),
    (date(2019, 5, 23), "Autun", "autun-morvan", "Les objets connectés au service des entreprises"),
    (date(2019, 10, 17), "Clermont-Ferrand", None, "Capitalisation : le guide méthodologique et l'essaimage"),
]

AGENDA = [(time(9, 30), "Accueil et tour de table des territoires", ""),
          (time(10, 0), "Retours d'expérience", "ARADEL"),
          (time(14, 0), "Atelier : ce que l'on refait, ce que l'on change", "ADEFPAT")]


def seed_demo():
    """Create the network once (idempotent on its slug) and return its coordinator."""
    if services.get_network("adefpat") is not None:
        return None
    network = services.create_network({
        "slug": "adefpat", "name": "Réseau ADEFPAT — quatre territoires du Massif Central",
        "description": "L'ADEFPAT a coordonné l'expérimentation dans quatre territoires ; l'ARADEL a co-animé "
                       "les séminaires d'échange et de capitalisation d'où est né le guide méthodologique."})
    territories = {t.slug: t for t in db.session.scalars(select(Territory))}
    for slug in ("ouest-rhodanien", "autun-morvan", "figeac", "grand-quercy"):
        if slug in territories:
            services.add_territory(network, territories[slug], joined_on=date(2017, 9, 1))
    adefpat = services.add_partner(network, "ADEFPAT", "coordinator",
                                   "Association pour le développement par la formation des projets, acteurs et "
                                   "territoires : coordination de l'expérimentation.")
    aradel = services.add_partner(network, "ARADEL", "co_organiser",
                                  "Réseau des développeurs économiques : co-animation des séminaires.")
    coordinator = create_demo_user("Anne Vidal (ADEFPAT)", COORDINATOR_EMAIL)
    services.add_coordinator(network, coordinator, adefpat)
    people = _people(network)
    for day, place, host, theme in SEMINARS:
        _seminar(network, day, place, territories.get(host), theme, [adefpat, aradel], people)
    upcoming = events.save_event(network, {
        "kind": "transfer_workshop", "title": "Atelier de transfert : la conciergerie inter-entreprises",
        "starts_on": local_today() + timedelta(days=45), "place": "Conserverie du Quercy, Gourdon",
        "host_territory_id": territories["grand-quercy"].id if "grand-quercy" in territories else None,
        "description": "Figeac présente sa conciergerie pérennisée ; les territoires qui veulent la reprendre "
                       "préparent leur prototype.", "capacity": 30, "organiser_ids": [adefpat.id]})
    for time_, title, speaker in ((time(9, 30), "La conciergerie de Figeac en chiffres", "Grand-Figeac"),
                                  (time(11, 0), "Adapter la configuration à son territoire", "ADEFPAT")):
        events.add_agenda_item(upcoming, {"starts_at": time_, "title": title, "speaker": speaker})
    _share_indicators(territories.values())
    _publish_practices(network, territories)
    return coordinator


def _people(network):
    """(user, territory id) of each territory's admin and committee members, to fill the seminars."""
    ids = services.territory_ids(network)
    rows = db.session.execute(
        select(Membership.user_id, Membership.territory_id).where(
            Membership.territory_id.in_(ids), Membership.status == ACTIVE,
            Membership.role.in_((TERRITORY_ADMIN, GOVERNANCE_MEMBER)))
        .order_by(Membership.territory_id, Membership.id).execution_options(**{ALL_TERRITORIES: True})).all()
    seen, people = set(), []
    for user_id, territory_id in rows:
        if user_id not in seen:
            seen.add(user_id)
            people.append((db.session.get(User, user_id), territory_id))
    return people


def _seminar(network, day, place, host, theme, organisers, people):
    event = events.save_event(network, {
        "kind": "seminar", "title": f"Séminaire de {place} : {theme}", "starts_on": day, "ends_on": None,
        "place": place, "host_territory_id": host.id if host else None, "capacity": None,
        "description": "Séminaire d'échange et de capitalisation entre les quatre territoires.",
        "organiser_ids": [p.id for p in organisers]})
    for starts_at, title, speaker in AGENDA:
        events.add_agenda_item(event, {"starts_at": starts_at, "title": title, "speaker": speaker})
    for index, (user, territory_id) in enumerate(people):
        events.register(network, event, user, from_territory_id=territory_id, today=day - timedelta(days=7))
    present = [user.id for index, (user, _t) in enumerate(people) if (index + day.month) % 4 != 0]
    events.set_attendance(event, present)
    events.save_minutes(event, f"{len(present)} participants des quatre territoires. Thème : {theme.lower()}. "
                               "Chaque territoire a présenté l'avancement de ses projets ; les fiches d'expérience "
                               "sont versées à la bibliothèque des pratiques.")
    event.minutes_updated_at = datetime.combine(day + timedelta(days=3), time(10))
    db.session.commit()


def _share_indicators(territories):
    """Every demo territory compares its indicators with the others and records its last two months."""
    from coopserv.indicators.models import IndicatorSharing
    from coopserv.indicators.services import current_month, month_start, snapshot_month, territory_indicators

    month = current_month()
    closed = []
    for _ in range(2):
        month = month_start(month - timedelta(days=1))
        closed.append(month)

    for territory in territories:
        with territory_scope(territory):
            existing = {row.indicator_key: row for row in db.session.scalars(select(IndicatorSharing))}
            for indicator, _module in territory_indicators():
                row = existing.get(indicator.key) or IndicatorSharing(indicator_key=indicator.key, public=False)
                row.compare = True
                db.session.add(row)
            db.session.commit()
            for month in closed:
                snapshot_month(month)


def _publish_practices(network, territories):
    """Figeac shares its perennial concierge, Autun its IoT training under evaluation."""
    from coopserv.governance import risks
    from coopserv.projects.models import ServiceProject

    sheets = {
        "figeac": {"context": "La ZA de l'Aiguille rassemble plus de 2 000 salariés, loin des commerces du centre.",
                   "lessons": "Nous referions le prototype avec un seul pilote motivé et un prestataire local ; "
                              "nous ouvririons plus tôt les paniers de producteurs, le service le plus utilisé.",
                   "risks": [("Le service est peu utilisé par les salariés", "low_use",
                              "Permanences à la cantine et bons de découverte le premier mois.")]},
        "autun-morvan": {"context": "Les industriels de l'Autunois manquent de techniciens formés aux capteurs.",
                         "lessons": "Des sessions courtes sur site, construites avec les chefs d'équipe.",
                         "risks": [("Les entreprises se désengagent après l'étude", "companies_disengage",
                                    "Un point trimestriel avec chaque dirigeant pilote.")]},
    }
    for slug, story in sheets.items():
        territory = territories.get(slug)
        if territory is None:
            continue
        with territory_scope(territory):
            project = db.session.scalar(select(ServiceProject).where(
                ServiceProject.stage.in_(practices.PUBLISHABLE_STAGES)).order_by(ServiceProject.id))
            admin = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                                      .where(Membership.role == TERRITORY_ADMIN).limit(1))
            if project is None:
                continue
            risk_ids = [risks.save_risk({"title": title, "category": category, "likelihood": 3, "impact": 3,
                                         "mitigation": mitigation, "review_on": local_today()}, actor=admin).id
                        for title, category, mitigation in story["risks"]]
            data = practices.defaults(project)
            data.update(context=story["context"], lessons=story["lessons"], risk_ids=risk_ids)
            practices.publish(project, network, data, admin)
