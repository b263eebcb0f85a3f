"""Demo data: the four territories of the original experiment, with people to sign in as."""
from sqlalchemy import select

from coopserv.accounts.models import (
    COMPANY_REFERENT,
    EMPLOYEE,
    SERVICE_OPERATOR,
    TERRITORY_ADMIN,
    Membership,
)
from coopserv.accounts.services import create_user
from coopserv.extensions import db
from coopserv.modules.models import PERENNIAL, PILOT, PROTOTYPE
from coopserv.modules.services import enable_module, update_settings
from coopserv.organizations.models import Organization
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import territory_scope
from coopserv.territories.models import Territory
from coopserv.territories.services import create_territory

DEMO_PASSWORD = "coopserv-demo"
PLATFORM_ADMIN_EMAIL = "admin@coopserv.demo"

#: slug, name, region, colours, organizations (name, kind, size band, headcount, sector, park),
#: services (key, stage, pilot organization names).
TERRITORIES = [
    {
        "slug": "ouest-rhodanien", "name": "Ouest Rhodanien", "region": "Tarare, Auvergne-Rhône-Alpes",
        "primary_color": "#7a2e1f", "accent_color": "#e9b44c",
        "organizations": [
            ("Textiles de Tarare", "company", "50-249", 120, "Textile", "ZA des Pins"),
            ("Plasturgie Val de Turdine", "company", "50-249", 85, "Plasturgie", "ZA du Tuburon"),
            ("Communauté de l'Ouest Rhodanien", "local_authority", "250+", 300, "Collectivité", ""),
            ("Association MAM Les P'tits Loups", "association", "1-9", 4, "Petite enfance", ""),
        ],
        "services": [("mobility", PILOT, ["Textiles de Tarare", "Plasturgie Val de Turdine"]),
                     ("childminder_house", PROTOTYPE, ["Textiles de Tarare"])],
    },
    {
        "slug": "autun-morvan", "name": "Autun Morvan", "region": "Bourgogne-Franche-Comté",
        "primary_color": "#234a6b", "accent_color": "#9fd3c7",
        "organizations": [
            ("Nexans Autun", "company", "250+", 400, "Câblerie", "ZI de Saint-Andoche"),
            ("Morvan Électronique", "company", "10-49", 35, "Électronique", "ZA de Bellevue"),
            ("Grand Autunois Morvan", "local_authority", "250+", 250, "Collectivité", ""),
        ],
        "services": [("iot_training", PILOT, ["Nexans Autun", "Morvan Électronique"]),
                     ("smart_parking", PROTOTYPE, ["Nexans Autun"])],
    },
    {
        "slug": "figeac", "name": "Figeac", "region": "Occitanie",
        "primary_color": "#1d5e3a", "accent_color": "#f2c14e",
        "organizations": [
            ("Figeac Aéro", "company", "250+", 1200, "Aéronautique", "ZA de l'Aiguille"),
            ("Ratier-Figeac", "company", "250+", 900, "Aéronautique", "ZA de l'Aiguille"),
            ("Menuiserie du Célé", "company", "10-49", 22, "Bois", "ZA de Lafarrayrie"),
            ("Grand-Figeac", "local_authority", "250+", 350, "Collectivité", ""),
            ("Figeac Accueil", "association", "1-9", 3, "Accueil des nouveaux arrivants", ""),
        ],
        "services": [("concierge", PERENNIAL, []),
                     ("spouse_welcome", PILOT, ["Figeac Aéro", "Ratier-Figeac"]),
                     ("mobility", PROTOTYPE, ["Figeac Aéro"])],
    },
    {
        "slug": "grand-quercy", "name": "Grand Quercy", "region": "Gourdon, Occitanie",
        "primary_color": "#5b3a7a", "accent_color": "#f4d35e",
        "organizations": [
            ("Conserverie du Quercy", "company", "50-249", 60, "Agroalimentaire", "ZA du Mas de Jouy"),
            ("Bouriane Bâtiment", "company", "10-49", 18, "BTP", "ZA du Mas de Jouy"),
            ("Communauté de communes Quercy-Bouriane", "local_authority", "50-249", 80, "Collectivité", ""),
            ("Club des entrepreneurs de Bouriane", "association", "1-9", 2, "Réseau d'entreprises", ""),
        ],
        "services": [],
    },
]


#: Who works each service's queue in the demo (a person, as in a real territory).
OPERATOR_NAMES = {
    "concierge": "Sophie Lacroix (conciergerie)",
    "spouse_welcome": "Nathalie Bouyssou (accueil des conjoints)",
    "mobility": "Karim Benali (mobilité)",
    "childminder_house": "Isabelle Perret (MAM)",
    "iot_training": "Laurent Morel (formation IoT)",
    "smart_parking": "Julie Fayolle (stationnement)",
}


def seed_demo():
    """Create the demo territories once; a second run leaves existing data alone."""
    created = []
    if db.session.scalar(select(Territory).filter_by(slug="figeac")) is not None:
        return created
    create_user("Plateforme coopserv", PLATFORM_ADMIN_EMAIL, DEMO_PASSWORD, platform_admin=True)
    db.session.commit()
    for spec in TERRITORIES:
        created.append(_seed_territory(spec))
    _seed_across_territories(created)
    return created


def _seed_across_territories(territories):
    """What spans territories or comes after them: the network, public pages, a past import."""
    from coopserv.imports.demo import seed_demo as seed_imports
    from coopserv.network.demo import seed_demo as seed_network
    from coopserv.public.demo import seed_demo as seed_public

    seed_public(territories)
    seed_imports(territories)
    seed_network()


def _seed_territory(spec):
    fields = {k: v for k, v in spec.items() if k not in ("organizations", "services")}
    territory = create_territory(fields)
    with territory_scope(territory):
        organizations = {}
        for name, kind, band, headcount, sector, park in spec["organizations"]:
            organization = Organization(name=name, kind=kind, size_band=band, employee_count=headcount,
                                        sector=sector, business_park=park)
            db.session.add(organization)
            organizations[name] = organization
        db.session.flush()
        company = next(o for o in organizations.values() if o.kind == "company")
        users = {
            "admin": _person(territory, "admin", "Admin " + territory.name, TERRITORY_ADMIN),
            "referent": _person(territory, "referent", "Référente RH", COMPANY_REFERENT, company),
            "employee": _person(territory, "employee", "Camille Martin", EMPLOYEE, company),
        }
        db.session.commit()
        host = plugin_host()
        for key, stage, pilots in spec["services"]:
            if key not in host.service_types:
                continue
            module = enable_module(key, stage=stage)
            update_settings(module, {"stage": stage, "access": "open",
                                     "pilot_organization_ids": [organizations[n].id for n in pilots]})
            name = OPERATOR_NAMES.get(key, f"Opérateur {key}")
            operator = _person(territory, f"operator-{key.replace('_', '-')}", name, SERVICE_OPERATOR,
                               module=module)
            db.session.commit()
            users["operator"] = operator
            host.call_owner("seed_demo_module", module.service_key, module=module, organizations=organizations,
                            users=users)
            db.session.commit()
        from coopserv.projects.services import seed_demo as seed_cooperation

        seed_cooperation(territory, organizations, users)
        from coopserv.governance.demo import seed_demo as seed_governance

        seed_governance(territory, organizations, users)
    return territory


def _person(territory, handle, name, role, organization=None, module=None):
    email = f"{handle}@{territory.slug}.demo"
    user = create_user(name, email, DEMO_PASSWORD)
    db.session.add(Membership(user_id=user.id, role=role, organization_id=organization.id if organization else None,
                              module_id=module.id if module else None))
    if role == COMPANY_REFERENT and organization is not None:
        db.session.add(Membership(user_id=user.id, role=EMPLOYEE, organization_id=organization.id))
    return user


def demo_logins(service_keys):
    """The sign-ins printed by `coopserv demo`, for the services installed."""
    from coopserv.network.demo import COORDINATOR_EMAIL

    lines = [("platform admin", PLATFORM_ADMIN_EMAIL), ("network coordinator (ADEFPAT)", COORDINATOR_EMAIL)]
    for spec in TERRITORIES:
        slug = spec["slug"]
        lines += [(f"{spec['name']}: territory admin", f"admin@{slug}.demo"),
                  (f"{spec['name']}: company referent", f"referent@{slug}.demo"),
                  (f"{spec['name']}: employee", f"employee@{slug}.demo")]
        lines += [(f"{spec['name']}: operator of {key}", f"operator-{key.replace('_', '-')}@{slug}.demo")
                  for key, _stage, _pilots in spec["services"] if key in service_keys]
    return lines
