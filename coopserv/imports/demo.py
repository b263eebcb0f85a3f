"""Demo imports: Autun Morvan brought in its business club's members from a spreadsheet."""
from sqlalchemy import select

from coopserv.accounts.models import TERRITORY_ADMIN, Membership, User
from coopserv.extensions import db
from coopserv.tenancy import territory_scope

from . import services

ORGANIZATIONS = """Raison sociale;SIRET;Effectif;Secteur;Adresse;Type
Fonderie du Morvan;44455566600017;140;Métallurgie;ZI de Saint-Andoche, 71400 Autun;entreprise
Scierie de la Celle;44455566600025;16;Bois;Route de Lucenay, 71400 Autun;entreprise
Ville d'Autun;21710014600014;420;Collectivité;Place du Champ de Mars, 71400 Autun;collectivité
"""
MEMBERS = """E-mail;Prénom;Nom;Organisation;Rôle
rh@fonderie-morvan.demo;Sandrine;Perrot;Fonderie du Morvan;référent
dirigeant@scierie-celle.demo;Marc;Jobard;Scierie de la Celle;comité
"""


def seed_demo(territories):
    """Import Autun's club files: organizations applied, members previewed then applied (invitations not yet sent)."""
    autun = next((t for t in territories if t.slug == "autun-morvan"), None)
    if autun is None:
        return
    with territory_scope(autun):
        admin = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                                  .where(Membership.role == TERRITORY_ADMIN).limit(1))
        for name, text, encoding in (("adherents-club.csv", ORGANIZATIONS, "cp1252"),
                                     ("contacts-club.csv", MEMBERS, "utf-8")):
            kind = "organizations" if name.startswith("adherents") else "members"
            batch = services.preview(kind,
                                     text.encode(encoding), name, admin)
            services.apply(batch, admin)
