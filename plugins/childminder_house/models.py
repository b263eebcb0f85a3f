"""Childminder house tables: houses, their childminders and sponsors, and the places families ask for.

Times of day are stored as minutes after midnight: the capacity arithmetic and the
indicators stay plain integer SQL on SQLite and PostgreSQL alike.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import TenantMixin, db

#: Length of one cell of the capacity grid, in minutes.
GRID_MINUTES = 30


class House(TenantMixin, db.Model):
    """A maison d'assistantes maternelles: where and when children are looked after."""

    __tablename__ = "childminder_house_house"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300), default="")
    #: Weekdays open, as digits (0 = Monday): "01234" is Monday to Friday.
    opening_days: Mapped[str] = mapped_column(String(7), default="01234")
    opens_at: Mapped[int] = mapped_column(default=7 * 60 + 30)
    closes_at: Mapped[int] = mapped_column(default=18 * 60 + 30)
    active: Mapped[bool] = mapped_column(default=True)

    childminders = relationship("Childminder", back_populates="house", order_by="Childminder.name",
                                cascade="all, delete-orphan")
    sponsorships = relationship("Sponsorship", back_populates="house", cascade="all, delete-orphan")

    @property
    def weekdays(self):
        return [int(day) for day in self.opening_days]


class Childminder(TenantMixin, db.Model):
    """An assistante maternelle working in a house; her presence makes the capacity."""

    __tablename__ = "childminder_house_childminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("childminder_house_house.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Children she may look after at once (her agrément; usually 4).
    max_children: Mapped[int] = mapped_column(default=4)
    #: Weekdays she works, as digits (0 = Monday), between ``starts_at`` and ``ends_at``.
    days: Mapped[str] = mapped_column(String(7), default="01234")
    starts_at: Mapped[int] = mapped_column()
    ends_at: Mapped[int] = mapped_column()

    house = relationship("House", back_populates="childminders")

    @property
    def weekdays(self):
        return [int(day) for day in self.days]


class Sponsorship(TenantMixin, db.Model):
    """A company funding places in a house; its employees come first while places remain."""

    __tablename__ = "childminder_house_sponsorship"
    __table_args__ = (UniqueConstraint("house_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("childminder_house_house.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    places: Mapped[int] = mapped_column(default=1)

    house = relationship("House", back_populates="sponsorships")
    organization = relationship("Organization")


class Placement(TenantMixin, db.Model):
    """The house's side of a request: which child, which days and hours, from when, and its dates.

    Its state is the service request's status (the one source of truth); the
    dates here say when it was asked, offered, allocated and ended.
    """

    __tablename__ = "childminder_house_placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("childminder_house_house.id", ondelete="CASCADE"), index=True)
    #: The parent who asked; kept here for siblings and for the person's data export and erasure.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    child_first_name: Mapped[str] = mapped_column(String(60))
    child_birth_date: Mapped[date | None] = mapped_column()
    #: Age when asked, in months.
    child_age_months: Mapped[int] = mapped_column()
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    requested_at: Mapped[datetime] = mapped_column()
    offered_at: Mapped[datetime | None] = mapped_column()
    offer_deadline: Mapped[datetime | None] = mapped_column()
    allocated_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()

    request = relationship("ServiceRequest")
    house = relationship("House")
    organization = relationship("Organization")
    slots = relationship("PlacementSlot", back_populates="placement", order_by="PlacementSlot.weekday",
                         cascade="all, delete-orphan")


class PlacementSlot(TenantMixin, db.Model):
    """One day of the week a child comes, with arrival and departure times."""

    __tablename__ = "childminder_house_placement_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("childminder_house_placement.id", ondelete="CASCADE"),
                                              index=True)
    weekday: Mapped[int] = mapped_column()
    starts_at: Mapped[int] = mapped_column()
    ends_at: Mapped[int] = mapped_column()

    placement = relationship("Placement", back_populates="slots")
