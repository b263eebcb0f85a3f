"""Demo data for Ouest Rhodanien: MAM Les P'tits Loups in Tarare, its childminders, children and waiting list.

The history is written as it would have happened (requests months ago, offers,
allocations) so the indicators have something to show.
"""
from datetime import timedelta

from coopserv.plugin_api import ServiceRequest, StatusChange, db, utcnow

from .hours import input_value
from .models import Childminder, House, Placement, PlacementSlot, Sponsorship

WEEK = (0, 1, 2, 3, 4)
EARLY, LATE = (7 * 60 + 30, 16 * 60 + 30), (9 * 60 + 30, 18 * 60 + 30)
DAY = (8 * 60 + 30, 17 * 60)

PARENTS = [
    ("Julie Bernard", "Textiles de Tarare"), ("Thomas Roche", "Textiles de Tarare"),
    ("Sophie Vial", "Plasturgie Val de Turdine"), ("Karim Benali", "Textiles de Tarare"),
    ("Élodie Chazal", "Communauté de l'Ouest Rhodanien"), ("Maxime Perrin", "Plasturgie Val de Turdine"),
    ("Laura Giraud", "Textiles de Tarare"), ("Nicolas Fayolle", "Plasturgie Val de Turdine"),
]
#: child, parent (index in PARENTS, or a demo handle), age in months, weekdays, hours,
#: days since the request, days waited before the place (None: still waiting), status.
CHILDREN = [
    ("Léo", 0, 14, WEEK, EARLY, 240, 0, "allocated"),
    ("Jade", 1, 20, WEEK, EARLY, 210, 35, "allocated"),
    ("Gabriel", 2, 9, (0, 1, 3, 4), EARLY, 160, 12, "allocated"),
    ("Louise", "referent", 30, WEEK, EARLY, 300, 0, "allocated"),
    ("Raphaël", 3, 11, WEEK, LATE, 190, 21, "allocated"),
    ("Emma", 4, 26, (0, 1, 3), LATE, 130, 0, "allocated"),
    ("Arthur", 5, 17, WEEK, LATE, 120, 48, "allocated"),
    ("Chloé", 6, 7, WEEK, LATE, 90, 6, "allocated"),
    ("Lina", 7, 22, (1, 3), DAY, 45, 4, "allocated"),
    ("Inès", "employee", 5, WEEK, (7 * 60 + 30, 18 * 60), 40, None, "waiting"),
    ("Noah", 1, 3, WEEK, (7 * 60 + 30, 17 * 60), 25, None, "waiting"),
    ("Manon", 5, 12, (0, 1, 2), (8 * 60, 18 * 60 + 30), 12, None, "waiting"),
]


def seed(module, organizations, users):
    """Add the house with three childminders, two sponsors, nine children with a place and three waiting.

    Early mornings and evenings are full, as in most MAMs: the families waiting need those hours.
    """
    house = House(name="MAM Les P'tits Loups", address="12 rue Pierre Sémard, 69170 Tarare", opening_days="01234",
                  opens_at=7 * 60 + 30, closes_at=18 * 60 + 30)
    db.session.add(house)
    db.session.add_all([
        Childminder(house=house, name="Sandrine Perret", max_children=4, days="01234", starts_at=7 * 60 + 30,
                    ends_at=16 * 60 + 30),
        Childminder(house=house, name="Nathalie Girard", max_children=4, days="01234", starts_at=9 * 60 + 30,
                    ends_at=18 * 60 + 30),
        Childminder(house=house, name="Aurélie Dumas", max_children=4, days="0134", starts_at=8 * 60,
                    ends_at=17 * 60),
    ])
    for name, places in (("Textiles de Tarare", 6), ("Plasturgie Val de Turdine", 2)):
        if name in organizations:
            db.session.add(Sponsorship(house=house, organization_id=organizations[name].id, places=places))
    db.session.flush()
    parents = _parents(organizations)
    now = utcnow()
    for child, parent, months, weekdays, hours, days_ago, waited, status in CHILDREN:
        user, organization = (users.get(parent), _employer(users.get(parent), organizations)) \
            if isinstance(parent, str) else parents[parent]
        if user is None or organization is None:
            continue
        _history(module, house, user, organization, child, months, weekdays, hours, now - timedelta(days=days_ago),
                 waited, status)
    db.session.commit()


def _history(module, house, user, organization, child, months, weekdays, hours, asked, waited, status):
    # Families still waiting hope to start next month; the others started two weeks after their place came.
    start = (utcnow() + timedelta(days=30) if waited is None else asked + timedelta(days=waited + 14)).date()
    payload = {"house_id": house.id, "child_first_name": child, "child_age_months": months,
               "slots": [{"weekday": d, "starts_at": input_value(hours[0]), "ends_at": input_value(hours[1])} for d in weekdays],
               "start_date": start.isoformat()}
    request = ServiceRequest(module_id=module.id, requester_id=user.id, organization_id=organization.id,
                             status=status, payload=payload, created_at=asked, updated_at=asked)
    db.session.add(request)
    db.session.flush()
    steps = [(None, "submitted", asked)]
    allocated_at = offered_at = None
    if waited == 0:
        steps.append(("submitted", "allocated", asked))
        allocated_at = asked
    else:
        steps.append(("submitted", "waiting", asked))
        if waited is not None:
            offered_at = asked + timedelta(days=waited - 2 if waited > 2 else 0)
            allocated_at = asked + timedelta(days=waited)
            steps += [("waiting", "offered", offered_at), ("offered", "allocated", allocated_at)]
    for from_status, to_status, at in steps:
        by_family = to_status == "submitted" or from_status == "offered"
        db.session.add(StatusChange(request_id=request.id, from_status=from_status, to_status=to_status,
                                    actor_id=user.id if by_family else None, at=at))
    placement = Placement(request_id=request.id, house_id=house.id, requester_id=user.id,
                          organization_id=organization.id, child_first_name=child, child_age_months=months,
                          start_date=start, requested_at=asked, offered_at=offered_at, allocated_at=allocated_at)
    placement.slots = [PlacementSlot(weekday=d, starts_at=hours[0], ends_at=hours[1]) for d in weekdays]
    db.session.add(placement)


def _parents(organizations):
    """Demo parents, employees of the territory's organizations (core helpers: plugin_api has no user factory)."""
    from coopserv.plugin_api import EMPLOYEE, Membership, create_demo_user, current_territory

    territory = current_territory()
    parents = []
    for number, (name, organization_name) in enumerate(PARENTS, 1):
        organization = organizations.get(organization_name)
        user = create_demo_user(name, f"parent{number}@{territory.slug}.demo")
        if organization is not None:
            db.session.add(Membership(user_id=user.id, role=EMPLOYEE, organization_id=organization.id))
        parents.append((user, organization))
    db.session.flush()
    return parents


def _employer(user, organizations):
    from coopserv.plugin_api import employer_of

    return employer_of(user) if user is not None else None


