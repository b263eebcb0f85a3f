"""The one place that writes mobility rows, and the queries its pages, hooks and indicators use."""
from datetime import timedelta

from flask_babel import format_decimal
from marshmallow import ValidationError
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from coopserv.plugin_api import Organization, _l, current_territory, db, gettext, notify, territory_towns, utcnow

from .matching import Commute as MatchCommute
from .matching import (
    Limits,
    haversine_km,
    match_commutes,
    minutes,
    weekdays_list,
    weekdays_mask,
)
from .models import (
    ACCEPTED,
    DECLINED,
    DRIVER,
    OFFER,
    PASSENGER,
    PENDING,
    REQUEST,
    BikeBooking,
    BikePool,
    BusinessPark,
    Commute,
    Crew,
    CrewMember,
    Proposal,
    ShuttleBooking,
    ShuttleRun,
    Town,
)
from .schemas import MobilityConfigSchema

SERVICE_KEY = "mobility"


class BookingRefused(Exception):
    """A booking or an acceptance that capacity does not allow; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def module_config(module):
    return MobilityConfigSchema().load(module.config or {})


def limits_for(module):
    config = module_config(module)
    return Limits(max_detour_km=config["max_detour_km"], max_time_difference=config["max_time_difference_minutes"],
                  max_proposals_per_request=config["max_proposals_per_request"])


# --- parks, towns and the operator's forms ---------------------------------------------------

def active_parks():
    return db.session.scalars(select(BusinessPark).where(BusinessPark.active.is_(True)).order_by(BusinessPark.name)).all()


def list_towns():
    return db.session.scalars(select(Town).order_by(Town.name)).all()


def park_by_name(name):
    return db.session.scalar(select(BusinessPark).where(BusinessPark.name == name, BusinessPark.active.is_(True)))


def _require_park(park_id):
    if db.session.scalar(select(BusinessPark.id).where(BusinessPark.id == park_id)) is None:
        raise ValidationError({"business_park_id": [gettext("Choose one of the business parks.")]})


def create_park(data):
    park = _new_park(data)
    db.session.commit()
    return park


def _new_park(data, field="name"):
    if db.session.scalar(select(BusinessPark.id).where(BusinessPark.name == data["name"])) is not None:
        raise ValidationError({field: [gettext("This name is already used.")]})
    park = BusinessPark(**data)
    db.session.add(park)
    db.session.flush()
    return park


def create_town(data):
    """Add a town; in a territory created from the administrative division, only one of its towns."""
    town = _new_town(data, {town.name: town for town in territory_towns()})
    db.session.commit()
    return town


def _new_town(data, official, field="name"):
    if official and data["name"] not in official:
        raise ValidationError({field: [gettext("Choose one of the territory's towns.")]})
    if official and not data.get("postcode"):
        data = dict(data, postcode=official[data["name"]].postcode)
    if db.session.scalar(select(Town.id).where(Town.name == data["name"])) is not None:
        raise ValidationError({field: [gettext("This name is already used.")]})
    town = Town(**data)
    db.session.add(town)
    db.session.flush()
    return town


def add_places(parks, towns):
    """Create the business parks and towns given a point on the places page, all or none.

    ``parks`` and ``towns`` are ``(field, data)`` pairs: the form field an error belongs to, and the
    loaded schema data. Every problem is collected (by field) before anything is kept.
    """
    official = {town.name: town for town in territory_towns()}
    errors = {}
    for field, data in parks:
        try:
            _new_park(data, field)
        except ValidationError as error:
            errors.update(error.messages)
    for field, data in towns:
        try:
            _new_town(data, official, field)
        except ValidationError as error:
            errors.update(error.messages)
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    db.session.commit()
    return len(parks) + len(towns)


def default_park_id(parks, organization):
    """The park a commute form proposes: the employee's organization's park, else the only one."""
    by_name = {park.name: park.id for park in parks}
    if organization is not None and organization.business_park in by_name:
        return by_name[organization.business_park]
    return parks[0].id if len(parks) == 1 else None


def towns_to_add():
    """The territory's official towns not yet given a point for carpooling, by name."""
    known = set(db.session.scalars(select(Town.name)))
    return [town for town in territory_towns() if town.name not in known]


def proposed_park_names():
    """Business parks typed on the organizations that are not parks yet: proposed, not retyped."""
    known = set(db.session.scalars(select(BusinessPark.name)))
    names = db.session.scalars(select(Organization.business_park).where(Organization.business_park != "")
                               .distinct().order_by(Organization.business_park))
    return [name for name in names if name not in known]


def create_shuttle_run(data):
    _require_park(data["business_park_id"])
    run = ShuttleRun(**data)
    db.session.add(run)
    db.session.commit()
    return run


def create_bike_pool(data):
    _require_park(data["business_park_id"])
    pool = BikePool(**data)
    db.session.add(pool)
    db.session.commit()
    return pool


# --- commutes and matching -------------------------------------------------------------------

def store_commute(request, payload):
    """Store the commute of a new request and propose matches for it (the core commits)."""
    town = db.session.scalar(select(Town).where(Town.id == payload["town_id"]))  # checked by CommuteSchema
    commute = Commute(
        request_id=request.id, user_id=request.requester_id, organization_id=request.organization_id,
        kind=payload["kind"], business_park_id=payload["business_park_id"], town_id=town.id,
        town_name=town.name, home_latitude=town.latitude, home_longitude=town.longitude,
        weekdays=weekdays_mask(payload["weekdays"]), departure_time=payload["departure_time"],
        return_time=payload["return_time"], seats=payload["seats"],
    )
    db.session.add(commute)
    db.session.flush()
    propose_for(commute, request.module)
    return commute


def commute_for_request(request_id):
    return db.session.scalar(select(Commute).filter_by(request_id=request_id).options(selectinload(Commute.business_park)))


def _match_rows(kind, park_ids):
    """Active commutes of one kind to some parks, as the plain records matching reads.

    Requests of passengers already riding in a crew are left out: they found their car.
    """
    query = (
        select(Commute.id, Commute.business_park_id, Commute.home_latitude, Commute.home_longitude,
               Commute.weekdays, Commute.departure_time, Commute.return_time, Commute.seats, Commute.user_id)
        .where(Commute.kind == kind, Commute.active.is_(True), Commute.business_park_id.in_(park_ids))
    )
    if kind == REQUEST:
        riding = select(CrewMember.commute_id).where(CrewMember.active.is_(True), CrewMember.role == PASSENGER,
                                                     CrewMember.commute_id.is_not(None))
        query = query.where(Commute.id.not_in(riding))
    return [_as_match(row) for row in db.session.execute(query).all()]


def _as_match(row):
    return MatchCommute(row[0], row[1], row[2], row[3], row[4], minutes(row[5]), minutes(row[6]), row[7], row[8])


def _park_points(park_ids):
    rows = db.session.execute(select(BusinessPark.id, BusinessPark.latitude, BusinessPark.longitude)
                              .where(BusinessPark.id.in_(park_ids))).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def propose_for(commute, module):
    """Match one new commute against the published ones of its park; store new proposals."""
    mine = _as_match((commute.id, commute.business_park_id, commute.home_latitude, commute.home_longitude,
                      commute.weekdays, commute.departure_time, commute.return_time, commute.seats, commute.user_id))
    parks = _park_points([commute.business_park_id])
    if commute.kind == OFFER:
        found = match_commutes([mine], _match_rows(REQUEST, parks), parks, limits_for(module))
    else:
        found = match_commutes(_match_rows(OFFER, parks), [mine], parks, limits_for(module))
    return _store_matches(found)


def refresh_proposals(module):
    """Match every published commute of the territory; store the proposals not yet known."""
    parks = _park_points(select(BusinessPark.id).where(BusinessPark.active.is_(True)).scalar_subquery())
    found = match_commutes(_match_rows(OFFER, list(parks)), _match_rows(REQUEST, list(parks)), parks,
                           limits_for(module))
    created = _store_matches(found)
    db.session.commit()
    return sum(len(m) for m in found.values()), created


def _store_matches(found):
    """Insert the proposals not stored yet, in bulk (a territory-wide run can make tens of thousands)."""
    matches = [match for ranked in found.values() for match in ranked]
    if not matches:
        return 0
    known = set()
    request_ids = list(found)
    for start in range(0, len(request_ids), 500):
        known.update(db.session.execute(select(Proposal.offer_id, Proposal.request_id)
                                        .where(Proposal.request_id.in_(request_ids[start:start + 500]))).all())
    # A bulk insert skips the session's flush hooks, so the territory is set here explicitly.
    territory_id, now = current_territory().id, utcnow()
    rows = [
        {"offer_id": m.offer_id, "request_id": m.request_id, "detour_km": m.detour_km, "time_gap_minutes": m.time_gap,
         "shared_days": m.shared_days, "score": round(m.score, 4), "driver_answer": PENDING,
         "passenger_answer": PENDING, "status": PENDING, "created_at": now, "territory_id": territory_id}
        for m in matches if (m.offer_id, m.request_id) not in known
    ]
    if rows:
        db.session.execute(insert(Proposal), rows)
    return len(rows)


def my_commutes(user_id):
    return db.session.scalars(select(Commute).where(Commute.user_id == user_id, Commute.active.is_(True))
                              .options(joinedload(Commute.business_park)).order_by(Commute.id)).all()


def my_proposals(user_id):
    """Open or accepted proposals where the person drives or rides, best first; others only by town."""
    offer, request = aliased(Commute), aliased(Commute)
    rows = db.session.execute(
        select(Proposal, offer, request)
        .join(offer, offer.id == Proposal.offer_id).join(request, request.id == Proposal.request_id)
        .where(or_(offer.user_id == user_id, request.user_id == user_id), Proposal.status.in_((PENDING, ACCEPTED)),
               offer.active.is_(True), request.active.is_(True))
        .order_by(Proposal.score, Proposal.id)
    ).all()
    parks = {park.id: park for park in active_parks()}
    return [_proposal_view(proposal, offer_row, request_row, user_id, parks) for proposal, offer_row, request_row in rows]


def _proposal_view(proposal, offer, request, user_id, parks):
    """What one side may see of a proposal: the other side's town, never their name or point."""
    as_driver = offer.user_id == user_id
    other = request if as_driver else offer
    return {
        "id": proposal.id, "role": DRIVER if as_driver else PASSENGER, "status": proposal.status,
        "other_town": other.town_name, "park": parks.get(offer.business_park_id),
        "days": weekdays_list(proposal.shared_days), "departure_time": offer.departure_time,
        "return_time": offer.return_time, "detour_km": proposal.detour_km, "time_gap": proposal.time_gap_minutes,
        "detour_label": format_decimal(proposal.detour_km, "0.0"),
        "seats": request.seats,
        "my_answer": proposal.driver_answer if as_driver else proposal.passenger_answer,
        "their_answer": proposal.passenger_answer if as_driver else proposal.driver_answer,
    }


def proposal_of(proposal_id, user_id):
    """A proposal the person is a side of, or None."""
    offer, request = aliased(Commute), aliased(Commute)
    return db.session.scalar(
        select(Proposal).join(offer, offer.id == Proposal.offer_id).join(request, request.id == Proposal.request_id)
        .where(Proposal.id == proposal_id, or_(offer.user_id == user_id, request.user_id == user_id))
        .options(selectinload(Proposal.offer), selectinload(Proposal.request))
    )


def answer_proposal(proposal, user, answer):
    """Record one side's answer; when both accept, the passenger joins the driver's crew.

    Answers about one offer are serialised by the offer's row lock, then the proposal is read
    again: two people answering at once neither lose an answer nor overfill the car.
    """
    value = ACCEPTED if answer == "accept" else DECLINED
    try:
        db.session.execute(update(Commute).where(Commute.id == proposal.offer_id).values(seats=Commute.seats)
                           .execution_options(synchronize_session=False))
        db.session.refresh(proposal)
        if proposal.status != PENDING:
            raise BookingRefused(gettext("This proposal was already answered."))
        if proposal.offer.user_id == user.id:
            proposal.driver_answer = value
        else:
            proposal.passenger_answer = value
        if value == DECLINED:
            proposal.status = DECLINED
        elif proposal.driver_answer == ACCEPTED and proposal.passenger_answer == ACCEPTED:
            _join_crew(proposal)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return proposal


def _lock(model, row_id):
    """Take the row's write lock (PostgreSQL row lock, SQLite database write lock) for this transaction."""
    db.session.execute(update(model).where(model.id == row_id).values(lock_version=model.lock_version + 1)
                       .execution_options(synchronize_session=False))


def _join_crew(proposal):
    """Seat the passenger in the driver's crew on the shared days.

    A passenger already in that crew (another of their commutes matched the same car, or they
    left and come back) keeps their one seat in it: their riding days become the union of the old
    and the new, and only the days they add must have a seat left.
    """
    offer, request = proposal.offer, proposal.request
    crew = db.session.scalar(select(Crew).where(Crew.offer_id == offer.id, Crew.active.is_(True)))
    if crew is None:
        park = db.session.scalar(select(BusinessPark).where(BusinessPark.id == offer.business_park_id))
        crew = Crew(offer_id=offer.id, business_park_id=offer.business_park_id,
                    label=f"{offer.town_name} → {park.name}", weekdays=offer.weekdays)
        db.session.add(crew)
        db.session.flush()
        db.session.add(CrewMember(crew_id=crew.id, user_id=offer.user_id, organization_id=offer.organization_id,
                                  commute_id=offer.id, role=DRIVER, weekdays=offer.weekdays,
                                  days_per_week=offer.weekdays.bit_count(), trip_km=0.0, seats=0))
    member = db.session.scalar(select(CrewMember).where(CrewMember.crew_id == crew.id,
                                                        CrewMember.user_id == request.user_id))
    if member is not None and member.role == DRIVER:
        raise BookingRefused(gettext("You already drive this crew."))
    riding = member.weekdays if member is not None and member.active else 0
    days = riding | proposal.shared_days
    seats = max(member.seats, request.seats) if riding else request.seats
    others = db.session.execute(select(CrewMember.weekdays, CrewMember.seats).where(
        CrewMember.crew_id == crew.id, CrewMember.role == PASSENGER, CrewMember.active.is_(True),
        CrewMember.user_id != request.user_id)).all()
    for day in weekdays_list(days):
        taken = sum(taken_seats for taken_days, taken_seats in others if taken_days & (1 << day))
        if taken + seats > offer.seats:
            raise BookingRefused(gettext("No seat is left in this car on one of the days."))
    park = db.session.scalar(select(BusinessPark).where(BusinessPark.id == offer.business_park_id))
    trip = round(haversine_km(request.home_latitude, request.home_longitude, park.latitude, park.longitude), 2)
    if member is None:
        db.session.add(CrewMember(crew_id=crew.id, user_id=request.user_id, organization_id=request.organization_id,
                                  commute_id=request.id, role=PASSENGER, weekdays=days,
                                  days_per_week=days.bit_count(), trip_km=trip, seats=seats))
    else:
        member.active, member.left_at, member.commute_id, member.seats = True, None, request.id, seats
        member.weekdays, member.days_per_week, member.trip_km = days, days.bit_count(), trip
    proposal.status = ACCEPTED
    proposal.crew_id = crew.id
    # A passenger rides in one car: their other open proposals are closed.
    db.session.execute(update(Proposal).where(Proposal.request_id == request.id, Proposal.id != proposal.id,
                                              Proposal.status == PENDING).values(status="closed")
                       .execution_options(synchronize_session=False))


def my_crews(user_id):
    """Active crews of the person, with members; inside a crew, people see each other's names."""
    crew_ids = select(CrewMember.crew_id).where(CrewMember.user_id == user_id, CrewMember.active.is_(True))
    return db.session.scalars(
        select(Crew).where(Crew.id.in_(crew_ids), Crew.active.is_(True))
        .options(selectinload(Crew.members).joinedload(CrewMember.user),
                 selectinload(Crew.members).joinedload(CrewMember.commute), joinedload(Crew.business_park))
        .order_by(Crew.id)
    ).all()


def end_commute(request):
    """A withdrawn or closed commute stops matching; its proposals close and its crew seats free up."""
    commute = commute_for_request(request.id)
    if commute is None:
        return
    commute.active = False
    db.session.execute(update(Proposal).where(or_(Proposal.offer_id == commute.id, Proposal.request_id == commute.id),
                                              Proposal.status == PENDING).values(status="closed")
                       .execution_options(synchronize_session=False))
    now = utcnow()
    members = db.session.scalars(select(CrewMember).where(CrewMember.commute_id == commute.id,
                                                          CrewMember.active.is_(True))).all()
    for member in members:
        member.active, member.left_at = False, now
        crew = db.session.scalar(select(Crew).where(Crew.id == member.crew_id))
        others = db.session.scalar(select(func.count(CrewMember.id)).where(
            CrewMember.crew_id == crew.id, CrewMember.role == PASSENGER, CrewMember.active.is_(True),
            CrewMember.id != member.id))
        if member.role == DRIVER or not others:
            crew.active, crew.ended_at = False, now
            db.session.execute(update(CrewMember).where(CrewMember.crew_id == crew.id, CrewMember.active.is_(True))
                               .values(active=False, left_at=now).execution_options(synchronize_session=False))


def release_on_stop(requests, now=None):
    """The service stopped: commutes stop matching, crews end, and bookings still to come are cancelled."""
    now = now or utcnow()
    for request in requests:
        end_commute(request)
    runs = db.session.execute(select(ShuttleBooking, ShuttleRun.departs_at)
                              .join(ShuttleRun, ShuttleRun.id == ShuttleBooking.run_id)
                              .where(ShuttleRun.departs_at >= now)).all()
    bikes = db.session.scalars(select(BikeBooking).where(BikeBooking.ends_at > now)).all()
    for booking, departs_at in runs:
        notify(booking.user_id, _l("Your shuttle seats of %(date)s are cancelled: the service stopped."),
               date=departs_at)
        db.session.delete(booking)
    for booking in bikes:
        notify(booking.user_id, _l("Your bike booking of %(date)s is cancelled: the service stopped."),
               date=booking.starts_at)
        db.session.delete(booking)
    return len(runs) + len(bikes)


def crew_riding(user_id, day):
    """The person's active crew riding on ``day`` (a date), as the parking hook returns it, or None."""
    bit = 1 << day.weekday()
    row = db.session.execute(
        select(Crew.id, Crew.label).join(CrewMember, CrewMember.crew_id == Crew.id)
        .where(CrewMember.user_id == user_id, CrewMember.active.is_(True), Crew.active.is_(True),
               CrewMember.weekdays.op("&")(bit) != 0)
        .order_by(Crew.id).limit(1)
    ).first()
    if row is None:
        return None
    size = db.session.scalar(select(func.count(CrewMember.id)).where(
        CrewMember.crew_id == row[0], CrewMember.active.is_(True), CrewMember.weekdays.op("&")(bit) != 0))
    return {"crew_id": row[0], "label": row[1], "size": size}


# --- shuttle and bikes -----------------------------------------------------------------------

def upcoming_runs(now=None):
    """Shuttle runs from now on, with the seats already booked, in one query."""
    booked = (select(ShuttleBooking.run_id, func.sum(ShuttleBooking.seats).label("booked"))
              .group_by(ShuttleBooking.run_id).subquery())
    return db.session.execute(
        select(ShuttleRun, func.coalesce(booked.c.booked, 0))
        .outerjoin(booked, booked.c.run_id == ShuttleRun.id)
        .where(ShuttleRun.departs_at >= (now or utcnow()))
        .options(joinedload(ShuttleRun.business_park))
        .order_by(ShuttleRun.departs_at)
    ).all()


def list_pools():
    return db.session.scalars(select(BikePool).options(joinedload(BikePool.business_park))
                              .order_by(BikePool.name)).all()


def book_shuttle(run, user, seats):
    """Book seats on a run; the run's row lock makes concurrent bookings queue, so seats never overflow."""
    try:
        _lock(ShuttleRun, run.id)
        booked = db.session.scalar(select(func.coalesce(func.sum(ShuttleBooking.seats), 0))
                                   .where(ShuttleBooking.run_id == run.id))
        if booked + seats > run.seats:
            raise BookingRefused(gettext("Not enough seats left on this run."))
        booking = ShuttleBooking(run_id=run.id, user_id=user.id, seats=seats)
        db.session.add(booking)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return booking


def book_bike(pool, user, starts_at, ends_at):
    """Book a bike for a window; at most ``pool.bikes`` bookings overlap any window, even at once."""
    try:
        _lock(BikePool, pool.id)
        overlapping = db.session.scalar(select(func.count(BikeBooking.id)).where(
            BikeBooking.pool_id == pool.id, BikeBooking.starts_at < ends_at, BikeBooking.ends_at > starts_at))
        if overlapping >= pool.bikes:
            raise BookingRefused(gettext("No bike is free in this time window."))
        booking = BikeBooking(pool_id=pool.id, user_id=user.id, starts_at=starts_at, ends_at=ends_at)
        db.session.add(booking)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return booking


def get_run(run_id):
    return db.session.scalar(select(ShuttleRun).where(ShuttleRun.id == run_id))


def get_pool(pool_id):
    return db.session.scalar(select(BikePool).where(BikePool.id == pool_id))


# --- figures for the operator ----------------------------------------------------------------

def coverage_by_park():
    """Per park: employees of its companies, and how many of them ride in an active crew."""
    from coopserv.plugin_api import Organization

    headcount = (select(Organization.business_park.label("park"),
                        func.sum(Organization.employee_count).label("employees"))
                 .group_by(Organization.business_park).subquery())
    riders = (select(Crew.business_park_id.label("park_id"), func.count(func.distinct(CrewMember.user_id)).label("n"))
              .join(CrewMember, CrewMember.crew_id == Crew.id)
              .where(Crew.active.is_(True), CrewMember.active.is_(True))
              .group_by(Crew.business_park_id).subquery())
    return db.session.execute(
        select(BusinessPark.name, func.coalesce(headcount.c.employees, 0), func.coalesce(riders.c.n, 0))
        .outerjoin(headcount, headcount.c.park == BusinessPark.name)
        .outerjoin(riders, riders.c.park_id == BusinessPark.id)
        .order_by(BusinessPark.name)
    ).all()


def alternatives_for(park_name, module, url_for):
    """Links to carpool (and the shuttle or bikes when configured) for a park, for the parking hook."""
    park = park_by_name(park_name)
    if park is None:
        return []
    config = module_config(module)
    links = [
        {"label": gettext("Offer a carpool to %(park)s", park=park.name),
         "url": url_for("requests.service_page", service_key=SERVICE_KEY, kind=OFFER, park=park.id)},
        {"label": gettext("Find a carpool to %(park)s", park=park.name),
         "url": url_for("requests.service_page", service_key=SERVICE_KEY, kind=REQUEST, park=park.id)},
    ]
    soon = utcnow() + timedelta(days=14)
    if config["shuttle_enabled"] and db.session.scalar(select(ShuttleRun.id).where(
            ShuttleRun.business_park_id == park.id, ShuttleRun.departs_at.between(utcnow(), soon)).limit(1)):
        links.append({"label": gettext("Book the shuttle to %(park)s", park=park.name),
                      "url": url_for("mobility.home", _anchor="shuttle")})
    if config["bikes_enabled"] and db.session.scalar(select(BikePool.id).where(
            BikePool.business_park_id == park.id).limit(1)):
        links.append({"label": gettext("Borrow a bike at %(park)s", park=park.name),
                      "url": url_for("mobility.home", _anchor="bikes")})
    return links

