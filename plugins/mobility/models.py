"""Mobility tables: parks and towns, commutes, proposals and crews, shuttle runs and bike pools."""
from datetime import datetime, time

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import TenantMixin, db, utcnow

OFFER, REQUEST = "offer", "request"
KINDS = (OFFER, REQUEST)
DRIVER, PASSENGER = "driver", "passenger"
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
BIKE_KINDS = ("bike", "ebike")


class BusinessPark(TenantMixin, db.Model):
    """A business park (zone d'activité) people commute to; the operator manages them."""

    __tablename__ = "mobility_business_park"
    __table_args__ = (UniqueConstraint("territory_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The same name as ``Organization.business_park``, so companies are tied to their park.
    name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Town(TenantMixin, db.Model):
    """A town around the parks; employees give it as their home area instead of an address."""

    __tablename__ = "mobility_town"
    __table_args__ = (UniqueConstraint("territory_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Commute(TenantMixin, db.Model):
    """A regular commute published by a driver (offer) or a passenger (request).

    The home point is private: others only ever see ``town_name`` until both sides accept a match.
    """

    __tablename__ = "mobility_commute"
    __table_args__ = (Index("ix_mobility_commute_matching", "territory_id", "kind", "active", "business_park_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    business_park_id: Mapped[int] = mapped_column(ForeignKey("mobility_business_park.id", ondelete="CASCADE"),
                                                  index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("mobility_town.id", ondelete="SET NULL"), index=True)
    #: What others see of the home: a town name, never the point.
    town_name: Mapped[str] = mapped_column(String(120))
    home_latitude: Mapped[float] = mapped_column(Float)
    home_longitude: Mapped[float] = mapped_column(Float)
    #: Bit mask of weekdays, bit 0 = Monday.
    weekdays: Mapped[int] = mapped_column()
    departure_time: Mapped[time] = mapped_column()
    return_time: Mapped[time] = mapped_column()
    #: Seats offered (offer) or needed (request).
    seats: Mapped[int] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    business_park = relationship("BusinessPark")
    user = relationship("User")


class Proposal(TenantMixin, db.Model):
    """An offer proposed for a request by matching; each side accepts or declines."""

    __tablename__ = "mobility_proposal"
    __table_args__ = (UniqueConstraint("offer_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("mobility_commute.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mobility_commute.id", ondelete="CASCADE"), index=True)
    detour_km: Mapped[float] = mapped_column(Float)
    time_gap_minutes: Mapped[int] = mapped_column()
    shared_days: Mapped[int] = mapped_column()
    score: Mapped[float] = mapped_column(Float)
    driver_answer: Mapped[str] = mapped_column(String(10), default=PENDING)
    passenger_answer: Mapped[str] = mapped_column(String(10), default=PENDING)
    #: pending, accepted (both said yes: a crew exists), declined (either said no), closed.
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("mobility_crew.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer = relationship("Commute", foreign_keys=[offer_id])
    request = relationship("Commute", foreign_keys=[request_id])


class Crew(TenantMixin, db.Model):
    """A carpool crew: a driver's offer and the passengers who accepted it, on their days."""

    __tablename__ = "mobility_crew"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("mobility_commute.id", ondelete="SET NULL"), index=True)
    business_park_id: Mapped[int] = mapped_column(ForeignKey("mobility_business_park.id", ondelete="CASCADE"),
                                                  index=True)
    label: Mapped[str] = mapped_column(String(200))
    #: Union of the members' riding days (bit mask, bit 0 = Monday).
    weekdays: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()

    business_park = relationship("BusinessPark")
    members = relationship("CrewMember", back_populates="crew", order_by="CrewMember.id")


class CrewMember(TenantMixin, db.Model):
    """One person of a crew, with the days they ride and the distance they share."""

    __tablename__ = "mobility_crew_member"
    __table_args__ = (UniqueConstraint("crew_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("mobility_crew.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    commute_id: Mapped[int | None] = mapped_column(ForeignKey("mobility_commute.id", ondelete="SET NULL"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    weekdays: Mapped[int] = mapped_column()
    #: Number of riding days per week (kept for SQL aggregates).
    days_per_week: Mapped[int] = mapped_column()
    #: Great-circle km of the passenger's home-to-park trip (0 for the driver): the distance shared.
    trip_km: Mapped[float] = mapped_column(Float, default=0.0)
    seats: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column()

    crew = relationship("Crew", back_populates="members")
    user = relationship("User")
    commute = relationship("Commute")


class ShuttleRun(TenantMixin, db.Model):
    """One run of an on-demand shuttle to a park, with a number of seats to book."""

    __tablename__ = "mobility_shuttle_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_park_id: Mapped[int] = mapped_column(ForeignKey("mobility_business_park.id", ondelete="CASCADE"),
                                                  index=True)
    origin: Mapped[str] = mapped_column(String(160))
    #: Where the origin stop is (WGS 84); runs without it are left out of the GTFS feed.
    origin_latitude: Mapped[float | None] = mapped_column(Float)
    origin_longitude: Mapped[float | None] = mapped_column(Float)
    departs_at: Mapped[datetime] = mapped_column()
    #: Minutes from the origin to the park, for the arrival time of timetables (GTFS).
    duration_minutes: Mapped[int] = mapped_column(default=20, server_default="20")
    seats: Mapped[int] = mapped_column()
    #: Bumped by every booking: the write takes the row lock that serialises bookings.
    lock_version: Mapped[int] = mapped_column(default=0)

    business_park = relationship("BusinessPark")


class ShuttleBooking(TenantMixin, db.Model):
    """Seats a person booked on a shuttle run."""

    __tablename__ = "mobility_shuttle_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("mobility_shuttle_run.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    seats: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BikePool(TenantMixin, db.Model):
    """A pool of bikes or e-bikes at a park, lent per time window."""

    __tablename__ = "mobility_bike_pool"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_park_id: Mapped[int] = mapped_column(ForeignKey("mobility_business_park.id", ondelete="CASCADE"),
                                                  index=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(10), default="ebike")
    bikes: Mapped[int] = mapped_column()
    #: Bumped by every booking: the write takes the row lock that serialises bookings.
    lock_version: Mapped[int] = mapped_column(default=0)

    business_park = relationship("BusinessPark")


class BikeBooking(TenantMixin, db.Model):
    """A bike of a pool booked by a person for a time window."""

    __tablename__ = "mobility_bike_booking"
    __table_args__ = (Index("ix_mobility_bike_booking_window", "pool_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("mobility_bike_pool.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
