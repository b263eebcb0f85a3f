"""The one place that writes childminder house rows: houses, places, offers and the waiting list.

Every change to a house's places runs under ``lock_house``: a row lock on
PostgreSQL, the database write lock on SQLite. Two families accepting or
asking for the last place at the same moment are served one after the other,
and the second one sees the first one's place.
"""
from dataclasses import dataclass
from datetime import timedelta

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from coopserv.plugin_api import (
    IllegalTransition,
    ServiceRequest,
    StatusChange,
    _l,
    db,
    get_module,
    gettext,
    link_target,
    local_date_of,
    local_today,
    mail_request_transition,
    notify,
    send_email_to_users,
    to_local,
    to_utc,
    utcnow,
)

from . import capacity
from .capacity import Booking, to_minutes
from .hours import spoken, time_of_day
from .models import Childminder, House, Placement, PlacementSlot, Sponsorship
from .schemas import WEEKDAY_NAMES, ChildminderHouseConfigSchema, days_string, rule_of

SERVICE_KEY = "childminder_house"
#: Statuses holding a place: allocated, or offered and waiting for the family's answer.
OCCUPYING = ("allocated", "offered")
#: Statuses that give a place back when a request reaches them from an occupying one.
FREEING = ("declined", "expired", "left", "cancelled")


# -- reading ---------------------------------------------------------------

def module_config():
    module = get_module(SERVICE_KEY)
    return ChildminderHouseConfigSchema().load(module.config or {} if module else {})


def list_houses():
    return db.session.scalars(
        select(House).options(selectinload(House.childminders), selectinload(House.sponsorships)
                              .selectinload(Sponsorship.organization)).order_by(House.name)
    ).all()


def get_house(house_id):
    return db.session.scalar(select(House).filter_by(id=house_id))


def get_childminder(childminder_id):
    return db.session.scalar(select(Childminder).filter_by(id=childminder_id))


def placement_for_request(request_id):
    return db.session.scalar(select(Placement).filter_by(request_id=request_id)
                             .options(selectinload(Placement.slots), selectinload(Placement.house)))


def capacity_of(house_id, replace=None, without=None):
    """Capacity per cell from the house's childminders; ``replace`` swaps one (id, data) in, ``without`` drops one."""
    rows = db.session.execute(select(Childminder.id, Childminder.days, Childminder.starts_at, Childminder.ends_at,
                                     Childminder.max_children).where(Childminder.house_id == house_id)).all()
    schedules = []
    for row in rows:
        if row.id == without:
            continue
        if replace is not None and row.id == replace[0]:
            continue
        schedules.append(([int(day) for day in row.days], row.starts_at, row.ends_at, row.max_children))
    if replace is not None:
        data = replace[1]
        schedules.append((data["days"], to_minutes(data["starts_at"]), to_minutes(data["ends_at"]),
                          data["max_children"]))
    return capacity.capacity_by_cell(schedules)


def bookings(house_id, statuses=OCCUPYING, exclude_id=None, still_running_on=None):
    """Placements of a house in ``statuses`` with their weekly slots, read fresh, in two queries."""
    query = (select(Placement.id, Placement.organization_id, Placement.requester_id, ServiceRequest.status,
                    Placement.start_date, Placement.end_date)
             .join(ServiceRequest, ServiceRequest.id == Placement.request_id)
             .where(Placement.house_id == house_id, ServiceRequest.status.in_(statuses)))
    if exclude_id is not None:
        query = query.where(Placement.id != exclude_id)
    if still_running_on is not None:
        query = query.where((Placement.end_date.is_(None)) | (Placement.end_date >= still_running_on))
    found = {row.id: Booking(*row) for row in db.session.execute(query)}
    _attach_slots(found)
    return list(found.values())


def _attach_slots(by_placement):
    if not by_placement:
        return
    for placement_id, weekday, starts_at, ends_at in db.session.execute(
        select(PlacementSlot.placement_id, PlacementSlot.weekday, PlacementSlot.starts_at, PlacementSlot.ends_at)
        .where(PlacementSlot.placement_id.in_(list(by_placement))).order_by(PlacementSlot.weekday)
    ):
        by_placement[placement_id].slots.append((weekday, starts_at, ends_at))


@dataclass
class WaitingEntry:
    """A request on the waiting list, with what the rule looks at."""

    booking: Booking
    request_id: int
    requested_at: object
    child_first_name: str = ""
    requester_name: str = ""
    organization_name: str = ""
    #: The request's reference as people know it ("#3", numbered per territory), never its database id.
    reference: str = ""
    sponsored: bool = False
    sibling: bool = False
    fits: bool = False


def waiting_entries(house_id, lock=False):
    """Waiting requests of a house; with ``lock``, rows another transaction is changing are skipped."""
    from coopserv.plugin_api import Organization, User

    query = (select(Placement.id, Placement.organization_id, Placement.requester_id, ServiceRequest.status,
                    Placement.start_date, Placement.end_date, ServiceRequest.id, Placement.requested_at,
                    Placement.child_first_name, ServiceRequest.number)
             .join(ServiceRequest, ServiceRequest.id == Placement.request_id)
             .where(Placement.house_id == house_id, ServiceRequest.status == "waiting"))
    if lock:
        query = query.with_for_update(of=ServiceRequest, skip_locked=True)
        rows = db.session.execute(query).all()
        names = {}
    else:
        query = query.add_columns(User.name, Organization.name).outerjoin(
            User, User.id == Placement.requester_id).outerjoin(Organization, Organization.id == Placement.organization_id)
        rows = db.session.execute(query).all()
        names = {row[0]: (row[10] or "", row[11] or "") for row in rows}
    entries = {}
    for row in rows:
        entries[row[0]] = WaitingEntry(Booking(*row[:6]), row[6], row[7], row[8], *names.get(row[0], ("", "")),
                                       reference=ServiceRequest.reference_of(row[9], row[6]))
    _attach_slots({pid: entry.booking for pid, entry in entries.items()})
    return list(entries.values())


def sponsored_places(house_id):
    """Places each sponsoring organization funds in the house."""
    return dict(db.session.execute(select(Sponsorship.organization_id, Sponsorship.places)
                                   .where(Sponsorship.house_id == house_id)).all())


def order_waiting(entries, booked, sponsors, rule):
    """Sort waiting entries by the territory's rule, then by date of request; mark why each stands where it does.

    A sponsoring company's employees come first only while the company has
    funded places that none of its employees' children hold yet.
    """
    used = {}
    for booking in booked:
        used[booking.organization_id] = used.get(booking.organization_id, 0) + 1
    families = {b.requester_id for b in booked if b.status == "allocated" and b.requester_id is not None}
    for entry in entries:
        org = entry.booking.organization_id
        entry.sponsored = org is not None and used.get(org, 0) < sponsors.get(org, 0)
        entry.sibling = entry.booking.requester_id is not None and entry.booking.requester_id in families
    keys = {"sponsored": lambda e: not e.sponsored, "sibling": lambda e: not e.sibling,
            "request_date": lambda e: e.requested_at}
    entries.sort(key=lambda e: tuple(keys[name](e) for name in rule) + (e.requested_at, e.request_id))
    return entries


def waiting_list(house, cells=None, booked=None, entries=None, sponsors=None):
    """The waiting list in order, each entry telling whether it would fit now (for the operator's page).

    What the caller already read (capacity, bookings, waiting entries, sponsors) is not read again.
    """
    config = module_config()
    booked = bookings(house.id) if booked is None else booked
    cells = capacity_of(house.id) if cells is None else cells
    entries = order_waiting(waiting_entries(house.id) if entries is None else entries, booked,
                            sponsored_places(house.id) if sponsors is None else sponsors, rule_of(config))
    for entry in entries:
        entry.fits = capacity.fits(cells, booked, entry.booking.start_date, entry.booking.end_date,
                                   entry.booking.slots)
    return entries


def occupancy_grid(house, day, cells=None, booked=None):
    """Rows of the grid for the week running on ``day``: (cell start, [(capacity, booked) per open weekday])."""
    cells = capacity_of(house.id) if cells is None else cells
    occupancy = capacity.occupancy_by_cell(bookings(house.id) if booked is None else booked, day, day)
    rows = []
    for cell in range(house.opens_at - house.opens_at % 30, house.closes_at, 30):
        rows.append((time_of_day(cell), time_of_day(min(cell + 30, house.closes_at)),
                     [(cells.get((weekday, cell), 0), occupancy.get((weekday, cell), 0)) for weekday in house.weekdays]))
    return rows


def house_overview(house, day):
    """Everything the house page shows, in four statements whatever the house's size.

    The placements holding, offered or waiting for a place come once, with
    their requests, families, companies and slots; the grid, the ordered
    waiting list, the pending offers and the children present on ``day`` are
    all derived from them.
    """
    placements = db.session.scalars(
        select(Placement).join(ServiceRequest, ServiceRequest.id == Placement.request_id)
        .where(Placement.house_id == house.id, ServiceRequest.status.in_(OCCUPYING + ("waiting",)))
        .options(contains_eager(Placement.request).joinedload(ServiceRequest.requester),
                 joinedload(Placement.organization), selectinload(Placement.slots))
    ).unique().all()
    booked, entries = [], []
    for placement in placements:
        booking = Booking(placement.id, placement.organization_id, placement.requester_id, placement.request.status,
                          placement.start_date, placement.end_date,
                          [(slot.weekday, slot.starts_at, slot.ends_at) for slot in placement.slots])
        if placement.request.status == "waiting":
            requester = placement.request.requester
            entries.append(WaitingEntry(booking, placement.request_id, placement.requested_at,
                                        placement.child_first_name, requester.name if requester else "",
                                        placement.organization.name if placement.organization else "",
                                        reference=placement.request.reference))
        else:
            booked.append(booking)
    usage = sponsorship_usage(house.id, with_ids=True)
    cells = capacity_of(house.id)
    offered = sorted((p for p in placements if p.request.status == "offered"),
                     key=lambda p: (p.offer_deadline is None, p.offer_deadline or p.requested_at))
    children = sorted((p for p in placements if p.request.status == "allocated" and p.start_date <= day
                       and (p.end_date is None or p.end_date >= day)), key=lambda p: p.child_first_name)
    return {"grid": occupancy_grid(house, day, cells, booked),
            "waiting": waiting_list(house, cells, booked, entries, {org: places for org, _n, places, _h in usage}),
            "offers": [(placement, placement.request) for placement in offered], "children": children,
            "sponsors": [(name, places, held) for _org, name, places, held in usage]}


def sponsorship_usage(house_id, with_ids=False):
    """Per sponsoring company: name, places funded, places its employees' children hold."""
    from coopserv.plugin_api import Organization

    held = (select(Placement.organization_id, func.count(Placement.id).label("held"))
            .join(ServiceRequest, ServiceRequest.id == Placement.request_id)
            .where(Placement.house_id == house_id, ServiceRequest.status.in_(OCCUPYING))
            .group_by(Placement.organization_id).subquery())
    columns = (Organization.name, Sponsorship.places, func.coalesce(held.c.held, 0))
    return db.session.execute(
        select(*(((Sponsorship.organization_id,) if with_ids else ()) + columns))
        .join(Organization, Organization.id == Sponsorship.organization_id)
        .outerjoin(held, held.c.organization_id == Sponsorship.organization_id)
        .where(Sponsorship.house_id == house_id).order_by(Organization.name)
    ).all()


# -- locking and moving requests --------------------------------------------

def lock_house(house_id):
    """Lock a house for the rest of the transaction and return it, read fresh (None if not in this territory)."""
    if db.engine.dialect.name == "sqlite":
        # SQLite has no row locks: a write takes the database's single write lock now rather than at commit.
        db.session.execute(update(House).where(House.id == house_id).values(active=House.active)
                           .execution_options(synchronize_session=False))
    return db.session.scalar(select(House).where(House.id == house_id).with_for_update()
                             .execution_options(populate_existing=True))


def _transition(name):
    from . import TRANSITIONS

    return next(t for t in TRANSITIONS if t.name == name)


def move(request, name, comment=""):
    """Apply one of the house's own transitions inside the current transaction; False if the request moved meanwhile.

    The core's ``apply_transition`` commits, so it cannot run inside another
    request's submission or transition; this does the same compare-and-set,
    history and notification without committing.
    """
    from . import STATES

    transition = _transition(name)
    moved = db.session.execute(
        update(ServiceRequest).where(ServiceRequest.id == request.id, ServiceRequest.status.in_(transition.sources))
        .values(status=transition.target, updated_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    set_committed_value(request, "status", transition.target)
    db.session.add(StatusChange(request_id=request.id, territory_id=request.territory_id,
                                from_status=transition.sources[0], to_status=transition.target, comment=comment))
    notify(request.requester_id, _l("Your request %(ref)s is now: %(status)s."),
           link_to=link_target("requests.detail", request_id=request.id), ref=request.reference,
           status=STATES[transition.target])
    mail_request_transition(request, transition, comment)
    return True


def _requests_by_id(ids):
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(select(ServiceRequest).where(ServiceRequest.id.in_(ids))
                                                .execution_options(populate_existing=True))}


# -- the request flow -------------------------------------------------------

def store_placement(request, payload):
    """Record a new request and allocate the place at once if every slot asked for has room, else queue it."""
    house = lock_house(payload["house_id"])
    if house is None:
        raise ValidationError({"house_id": [gettext("Choose one of the houses.")]})
    now = utcnow()
    born = payload.get("child_birth_date")
    age = payload.get("child_age_months")
    if born is not None:
        today = local_date_of(now)
        age = (today.year - born.year) * 12 + today.month - born.month - (1 if today.day < born.day else 0)
    placement = Placement(request_id=request.id, house_id=house.id, requester_id=request.requester_id,
                          organization_id=request.organization_id, child_first_name=payload["child_first_name"],
                          child_birth_date=born, child_age_months=age, start_date=payload["start_date"],
                          end_date=payload.get("end_date"), requested_at=now)
    for slot in payload["slots"]:
        placement.slots.append(PlacementSlot(weekday=slot["weekday"], starts_at=to_minutes(slot["starts_at"]),
                                             ends_at=to_minutes(slot["ends_at"])))
    db.session.add(placement)
    db.session.flush()
    # Families already waiting are served before a newcomer.
    offer_free_places(house, now)
    slots = [(s.weekday, s.starts_at, s.ends_at) for s in placement.slots]
    if capacity.fits(capacity_of(house.id), bookings(house.id), placement.start_date, placement.end_date, slots):
        move(request, "allocate")
        placement.allocated_at = now
    else:
        move(request, "queue")
    return placement


def offer_free_places(house, now):
    """Offer room to the first waiting requests that fit, in the rule's order, each with a deadline to accept.

    Runs with the house locked. Offered places count as taken until the family
    answers, so two families are never offered the same place.
    """
    config = module_config()
    remaining = waiting_entries(house.id, lock=True)
    if not remaining:
        return []
    cells = capacity_of(house.id)
    booked = bookings(house.id)
    sponsors = sponsored_places(house.id)
    # The same wall-clock time N days later in the territory, even across a change of summer time.
    deadline = to_utc(to_local(now).replace(tzinfo=None) + timedelta(days=config["offer_days"]))
    requests = _requests_by_id([entry.request_id for entry in remaining])
    offered = []
    while remaining:
        order_waiting(remaining, booked, sponsors, rule_of(config))
        chosen = next((e for e in remaining if capacity.fits(cells, booked, e.booking.start_date, e.booking.end_date,
                                                              e.booking.slots)), None)
        if chosen is None:
            break
        remaining.remove(chosen)
        request = requests[chosen.request_id]
        if not move(request, "offer"):
            continue
        db.session.execute(update(Placement).where(Placement.id == chosen.booking.placement_id)
                           .values(offered_at=now, offer_deadline=deadline)
                           .execution_options(synchronize_session=False))
        notify(request.requester_id, _l("A place is offered for %(child)s at %(house)s: accept it by %(deadline)s."),
               link_to=link_target("requests.detail", request_id=request.id),
               child=chosen.child_first_name, house=house.name, deadline=deadline)
        send_email_to_users([request.requester_id], "requests", "childminder_house/emails/place_offered.html",
                            link_to=link_target("requests.detail", request_id=request.id),
                            child=chosen.child_first_name, house=house.name, deadline=deadline)
        chosen.booking.status = "offered"
        booked.append(chosen.booking)
        offered.append(request)
    return offered


def request_changed(request, change):
    """Follow a family's or operator's transition: confirm an accepted offer, or pass a freed place on."""
    placement = db.session.scalar(select(Placement).filter_by(request_id=request.id)
                                  .execution_options(populate_existing=True))
    if placement is None:
        return
    now = utcnow()
    if change.from_status == "offered" and change.to_status == "allocated":
        confirm_offer(placement, now)
    elif change.from_status in OCCUPYING and change.to_status in FREEING:
        if change.to_status == "left":
            placement.ended_at = now
        offer_free_places(lock_house(placement.house_id), now)


def confirm_offer(placement, now):
    """Allocate an accepted offer if it is still open and the place is still there, else refuse the move."""
    house = lock_house(placement.house_id)
    db.session.refresh(placement)
    if placement.offer_deadline is not None and now > placement.offer_deadline:
        raise IllegalTransition(gettext("This offer expired; the place goes to the next family."))
    slots = [(s.weekday, s.starts_at, s.ends_at) for s in placement.slots]
    # Only allocated children count here: this family's own offer is what holds the place.
    taken = bookings(house.id, statuses=("allocated",), exclude_id=placement.id)
    if not capacity.fits(capacity_of(house.id), taken, placement.start_date, placement.end_date, slots):
        raise IllegalTransition(gettext("Sorry, this place has just been taken."))
    placement.allocated_at = now


def release_on_stop(requests, now=None):
    """The service stopped: end the places and withdraw the offers its closed requests held.

    The requests are already closed by the core (so they no longer count in a
    house's capacity); this dates the end of each place and clears pending
    offers so nothing is waiting on a family's answer any more.
    """
    previous = {request.id: request.history[-1].from_status for request in requests if request.history}
    if not previous:
        return 0
    now = now or utcnow()
    released = 0
    for placement in db.session.scalars(select(Placement).where(Placement.request_id.in_(previous))):
        status = previous[placement.request_id]
        if status == "allocated":
            placement.ended_at = now
            released += 1
        elif status == "offered":
            placement.offer_deadline = None
            released += 1
    return released


# -- time-based work --------------------------------------------------------

def expire_offers(now):
    """Expire offers past their deadline and pass each place to the next family; returns how many expired."""
    rows = db.session.execute(
        select(Placement.house_id, ServiceRequest.id).join(ServiceRequest, ServiceRequest.id == Placement.request_id)
        .where(ServiceRequest.status == "offered", Placement.offer_deadline < now)
        .with_for_update(of=ServiceRequest, skip_locked=True)
    ).all()
    requests = _requests_by_id([request_id for _house, request_id in rows])
    expired, houses = 0, set()
    for house_id, request_id in rows:
        if move(requests[request_id], "expire", comment=gettext("No answer before the deadline.")):
            expired += 1
            houses.add(house_id)
    for house_id in sorted(houses):
        offer_free_places(lock_house(house_id), now)
    return expired


def finish_ended_placements(now):
    """Close places whose end date has passed, so their room goes to the waiting list."""
    rows = db.session.execute(
        select(Placement.id, ServiceRequest.id).join(ServiceRequest, ServiceRequest.id == Placement.request_id)
        .where(ServiceRequest.status == "allocated", Placement.end_date < local_date_of(now))
        .with_for_update(of=ServiceRequest, skip_locked=True)
    ).all()
    requests = _requests_by_id([request_id for _placement, request_id in rows])
    for placement_id, request_id in rows:
        if move(requests[request_id], "finish", comment=gettext("End date reached.")):
            db.session.execute(update(Placement).where(Placement.id == placement_id).values(ended_at=now)
                               .execution_options(synchronize_session=False))
    return len(rows)


def remind_lapsing_offers(now):
    """E-mail families whose offer lapses within a day and who have not answered (once per offer)."""
    rows = db.session.execute(
        select(Placement.id, Placement.requester_id, Placement.request_id, Placement.child_first_name,
               Placement.offer_deadline, House.name)
        .join(ServiceRequest, ServiceRequest.id == Placement.request_id).join(House, House.id == Placement.house_id)
        .where(ServiceRequest.status == "offered", Placement.offer_deadline > now,
               Placement.offer_deadline <= now + timedelta(days=1))
    ).all()
    for placement_id, requester_id, request_id, child, deadline, house in rows:
        send_email_to_users([requester_id], "reminders", "childminder_house/emails/offer_reminder.html",
                            once_key=f"childminder-offer-reminder:{placement_id}:{deadline.isoformat()}",
                            link_to=link_target("requests.detail", request_id=request_id), child=child,
                            house=house, deadline=deadline)
    return len(rows)


def run_due_work(now):
    """Everything that falls due with time, for the territory in scope; idempotent, commits."""
    if get_module(SERVICE_KEY) is None:
        return
    expire_offers(now)
    remind_lapsing_offers(now)
    finish_ended_placements(now)
    for house_id in db.session.scalars(select(House.id).where(House.active.is_(True)).order_by(House.id)).all():
        offer_free_places(lock_house(house_id), now)
    db.session.commit()


# -- houses, childminders and sponsors --------------------------------------

def create_house(data):
    house = House(name=data["name"], address=data.get("address", ""), opening_days=days_string(data["opening_days"]),
                  opens_at=to_minutes(data["opens_at"]), closes_at=to_minutes(data["closes_at"]))
    db.session.add(house)
    db.session.commit()
    return house


def update_house(house, data):
    """Change a house's name, address, days and hours, refusing hours that would leave children or staff outside."""
    house = lock_house(house.id)
    days, opens, closes = data["opening_days"], to_minutes(data["opens_at"]), to_minutes(data["closes_at"])
    errors = {}
    for booking in bookings(house.id, still_running_on=local_today()):
        for weekday, starts_at, ends_at in booking.slots:
            if weekday not in days:
                errors.setdefault("opening_days", [gettext("Children are booked on %(day)s.",
                                                           day=WEEKDAY_NAMES[weekday])])
            elif starts_at < opens:
                errors.setdefault("opens_at", [gettext("Children are booked from %(time)s.", time=spoken(starts_at))])
            elif ends_at > closes:
                errors.setdefault("closes_at", [gettext("Children are booked until %(time)s.", time=spoken(ends_at))])
    for childminder in house.childminders:
        if not set(childminder.weekdays) <= set(days):
            errors.setdefault("opening_days", [gettext("%(name)s works on a day the house would be closed.",
                                                       name=childminder.name)])
        elif childminder.starts_at < opens or childminder.ends_at > closes:
            errors.setdefault("opens_at" if childminder.starts_at < opens else "closes_at",
                              [gettext("%(name)s works outside these hours; change her hours first.",
                                       name=childminder.name)])
    if errors:
        raise ValidationError(errors)
    house.name, house.address = data["name"], data.get("address", "")
    house.opening_days, house.opens_at, house.closes_at = days_string(days), opens, closes
    db.session.commit()
    return house


def _check_within_opening(house, data):
    errors = {}
    if not set(data["days"]) <= set(house.weekdays):
        errors["days"] = [gettext("The house is closed on one of these days.")]
    if to_minutes(data["starts_at"]) < house.opens_at:
        errors["starts_at"] = [gettext("The house opens at %(time)s.", time=spoken(house.opens_at))]
    if to_minutes(data["ends_at"]) > house.closes_at:
        errors["ends_at"] = [gettext("The house closes at %(time)s.", time=spoken(house.closes_at))]
    if errors:
        raise ValidationError(errors)


def _check_capacity(house, cells, field_name):
    """Refuse a capacity below the children already booked, naming the first cell short."""
    short = capacity.shortfalls(cells, bookings(house.id, still_running_on=local_today()))
    if short:
        weekday, cell, places, booked = short[0]
        raise ValidationError({field_name: [gettext(
            "Capacity would fall to %(places)s on %(day)s at %(time)s, where %(booked)s children are booked.",
            places=places, day=WEEKDAY_NAMES[weekday], time=spoken(cell), booked=booked)]})


def add_childminder(house, data):
    house = lock_house(house.id)
    _check_within_opening(house, data)
    childminder = Childminder(house_id=house.id, name=data["name"], max_children=data["max_children"],
                              days=days_string(data["days"]), starts_at=to_minutes(data["starts_at"]),
                              ends_at=to_minutes(data["ends_at"]))
    db.session.add(childminder)
    db.session.flush()
    offer_free_places(house, utcnow())
    db.session.commit()
    return childminder


def update_childminder(childminder, data):
    """Change a childminder's hours or number of children, never below the children already booked."""
    house = lock_house(childminder.house_id)
    _check_within_opening(house, data)
    _check_capacity(house, capacity_of(house.id, replace=(childminder.id, data)), "max_children")
    childminder.name, childminder.max_children = data["name"], data["max_children"]
    childminder.days = days_string(data["days"])
    childminder.starts_at, childminder.ends_at = to_minutes(data["starts_at"]), to_minutes(data["ends_at"])
    db.session.flush()
    offer_free_places(house, utcnow())
    db.session.commit()
    return childminder


def remove_childminder(childminder):
    house = lock_house(childminder.house_id)
    _check_capacity(house, capacity_of(house.id, without=childminder.id), "childminder")
    db.session.delete(childminder)
    db.session.commit()


def set_sponsorship(house, data):
    """Set the places a company funds in a house; zero ends the sponsorship."""
    from coopserv.plugin_api import Organization

    organization = db.session.scalar(select(Organization).filter_by(id=data["organization_id"]))
    if organization is None:
        raise ValidationError({"organization_id": [gettext("Choose an organization of this territory.")]})
    sponsorship = db.session.scalar(select(Sponsorship).filter_by(house_id=house.id, organization_id=organization.id))
    if data["places"] == 0:
        if sponsorship is not None:
            db.session.delete(sponsorship)
    elif sponsorship is None:
        db.session.add(Sponsorship(house_id=house.id, organization_id=organization.id, places=data["places"]))
    else:
        sponsorship.places = data["places"]
    db.session.commit()
