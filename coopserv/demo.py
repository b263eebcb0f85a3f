"""Demo data: the four territories of the original experiment, with people to sign in as."""
from sqlalchemy import select

from coopserv.accounts.models import (
    COMPANY_REFERENT,
    EMPLOYEE,
    GOVERNANCE_MEMBER,
    SERVICE_OPERATOR,
    TERRITORY_ADMIN,
    Membership,
    User,
)
from coopserv.extensions import db
from coopserv.modules.models import PERENNIAL, PILOT, PROTOTYPE
from coopserv.modules.services import enable_module, update_settings
from coopserv.organizations.models import Organization
from coopserv.demo_accounts import DEMO_PASSWORD, create_demo_user  # noqa: F401 (DEMO_PASSWORD: for the CLI and tests)
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import territory_scope
from coopserv.territories.models import Territory
from coopserv.territories.services import create_territory

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
        "colleague": ("Inès Garnier", "Plasturgie Val de Turdine"),
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
        "colleague": ("Thomas Perrin", "Morvan Électronique"),
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
        "colleague": ("Lucas Bernard", "Menuiserie du Célé"),
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
    create_demo_user("Plateforme coopserv", PLATFORM_ADMIN_EMAIL, platform_admin=True)
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
    fields = {k: v for k, v in spec.items() if k not in ("organizations", "services", "colleague")}
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
        if spec.get("colleague"):
            # An employee of another company, so the demo shows services reserved to pilots from outside.
            name, organization = spec["colleague"]
            users["colleague"] = _person(territory, "colleague", name, EMPLOYEE, organizations[organization])
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
        from coopserv.needs.demo import seed_demo_needs

        seed_demo_needs(territory, organizations, users)
        from coopserv.projects.demo import seed_demo as seed_cooperation

        seed_cooperation(territory, organizations, users)
        from coopserv.governance.demo import seed_demo as seed_governance

        seed_governance(territory, organizations, users)
        from coopserv.committee_indicators.demo import seed_demo as seed_committee_indicators

        seed_committee_indicators(territory, users)
    return territory


def _person(territory, handle, name, role, organization=None, module=None):
    email = f"{handle}@{territory.slug}.demo"
    user = create_demo_user(name, email)
    db.session.add(Membership(user_id=user.id, role=role, organization_id=organization.id if organization else None,
                              module_id=module.id if module else None))
    if role == COMPANY_REFERENT and organization is not None:
        db.session.add(Membership(user_id=user.id, role=EMPLOYEE, organization_id=organization.id))
    return user


def demo_accounts():
    """Every demo sign-in with its roles, read from the database: [(territory name or "", email, roles)].

    Read back rather than listed by hand, so accounts that modules and plugins create in their own
    demo data (committee members, parents, trainees…) are printed too.
    """
    from coopserv.network.demo import COORDINATOR_EMAIL
    from coopserv.tenancy import ALL_TERRITORIES

    users = db.session.scalars(select(User).where(User.email.like("%.demo")).order_by(User.id)).all()
    memberships = db.session.execute(
        select(Membership, Territory.name, Territory.id)
        .join(Territory, Territory.id == Membership.territory_id)
        .where(Membership.user_id.in_([u.id for u in users]), Membership.status == "active")
        .order_by(Territory.name, Membership.id)
        .execution_options(**{ALL_TERRITORIES: True})
    ).all()
    pilots = _pilot_organizations()
    roles_of = {}
    for membership, territory_name, territory_id in memberships:
        roles_of.setdefault((membership.user_id, territory_name), []).append(_describe(membership, pilots.get(territory_id, set())))
    lines = [("", user.email, ["platform admin"]) for user in users if user.is_platform_admin]
    for (user_id, territory_name), roles in roles_of.items():
        email = next(u.email for u in users if u.id == user_id)
        lines.append((territory_name, email, _merge_roles(roles)))
    # The network's coordinator works across territories, with no role in any one of them.
    with_roles = {user_id for user_id, _name in roles_of}
    lines += [("", user.email, ["network coordinator (ADEFPAT)" if user.email == COORDINATOR_EMAIL else "account"])
              for user in users if not user.is_platform_admin and user.id not in with_roles]
    lines.sort(key=lambda line: (line[0], _ROLE_ORDER.get(line[2][0].split(" ")[0], 9), line[1]))
    return lines


_ROLE_LABELS = {TERRITORY_ADMIN: "territory admin", GOVERNANCE_MEMBER: "committee member",
                COMPANY_REFERENT: "company referent", EMPLOYEE: "employee", SERVICE_OPERATOR: "operator"}
_ROLE_ORDER = {"territory": 0, "committee": 1, "company": 2, "operator": 3, "employee": 4}


def _describe(membership, pilot_ids):
    label = _ROLE_LABELS.get(membership.role, membership.role)
    if membership.role == SERVICE_OPERATOR and membership.module is not None:
        kind = plugin_host().service_types.get(membership.module.service_key)
        return f"operator of {str(kind.label) if kind else membership.module.service_key}"
    if membership.organization is not None:
        label += f", {membership.organization.name}"
        if membership.role == EMPLOYEE and pilot_ids and membership.organization_id not in pilot_ids:
            label += " (not in a pilot)"
    return label


def _merge_roles(roles):
    """A referent is also an employee of their company: say it once."""
    referents = {r.split(", ", 1)[1] for r in roles if r.startswith("company referent, ")}
    kept = [r for r in roles if not (r.startswith("employee, ") and r.split(", ", 1)[1].split(" (")[0] in referents)]
    return list(dict.fromkeys(kept))


def _pilot_organizations():
    """Organizations piloting a module that is still reserved to pilots, per territory id."""
    from coopserv.modules.models import PILOT_STAGES, ServiceModule, module_pilot_organization
    from coopserv.tenancy import ALL_TERRITORIES

    rows = db.session.execute(
        select(ServiceModule.territory_id, module_pilot_organization.c.organization_id)
        .join(module_pilot_organization, module_pilot_organization.c.module_id == ServiceModule.id)
        .where(ServiceModule.stage.in_(PILOT_STAGES), ServiceModule.enabled.is_(True))
        .execution_options(**{ALL_TERRITORIES: True})
    ).all()
    pilots = {}
    for territory_id, organization_id in rows:
        pilots.setdefault(territory_id, set()).add(organization_id)
    return pilots
