"""Demo public pages: Figeac publishes everything and opens its next Start Up de Territoire evening to visitors.

A few visitors have registered already, so the admin page (and the API) lists registrations to manage.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from coopserv.accounts.models import TERRITORY_ADMIN, Membership, User
from coopserv.extensions import db
from coopserv.governance import events
from coopserv.governance.models import STARTUP_EVENING, GovernanceEvent
from coopserv.tenancy import territory_scope
from coopserv.timeutil import local_today

from . import services

INTRODUCTIONS = {
    "figeac": "Entreprises, Grand-Figeac et associations co-construisent des services pour les salariés du "
              "territoire : conciergerie, accueil des conjoints, mobilité.",
    "grand-quercy": "Les dirigeants de Bouriane et la communauté de communes recueillent les besoins des "
                    "entreprises et prototypent leurs premiers services.",
}


#: Visitors registered to Figeac's evening through the public form (addresses on a reserved domain).
VISITORS = (
    {"name": "Inès Delmas", "email": "ines.delmas@visiteurs.example", "company": "Menuiserie du Célé"},
    {"name": "Paul Vidal", "email": "paul.vidal@visiteurs.example", "company": ""},
    {"name": "Marion Lacaze", "email": "marion.lacaze@visiteurs.example", "company": "Atelier numérique de Figeac"},
)


def seed_demo(territories):
    """Publish Figeac's and Grand Quercy's pages; open an upcoming evening in Figeac to registration."""
    for territory in territories:
        if territory.slug not in INTRODUCTIONS:
            continue
        with territory_scope(territory):
            admin = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                                      .where(Membership.role == TERRITORY_ADMIN).limit(1))
            services.save_settings({"services": True, "needs": True, "projects": True,
                                    "events": territory.slug == "figeac",
                                    "introduction": INTRODUCTIONS[territory.slug]}, admin)
            if territory.slug != "figeac":
                continue
            day = local_today() + timedelta(days=20)
            evening = events.create_event({
                "kind": STARTUP_EVENING, "title": "Start Up de Territoire — printemps",
                "starts_at": datetime.combine(day, time(16, 30)), "place": "Espace Mitterrand, Figeac",
                "description": "Entreprises, élus et associations pitchent des idées de services ; le public vote. "
                               "Entrée libre sur inscription."}, admin)
            publication = services.set_publication({"event_id": evening.id, "published": True,
                                                    "registration_open": True, "capacity": 120}, admin)
            for visitor in VISITORS:
                services.register(evening, publication, visitor)
            past = db.session.scalar(select(GovernanceEvent).where(GovernanceEvent.kind == STARTUP_EVENING,
                                                                   GovernanceEvent.id != evening.id).limit(1))
            if past is not None:
                services.set_publication({"event_id": past.id, "published": True, "registration_open": False,
                                          "capacity": None}, admin)
