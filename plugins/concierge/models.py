"""Concierge tables: providers and their catalogue, pickup points and slots, orders."""
from datetime import date, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import TenantMixin, db

PROVIDER_CATEGORIES = ("pressing", "alterations", "shoe_repair", "car_wash", "fresh_produce", "parcels",
                       "admin_help", "other")


class Provider(TenantMixin, db.Model):
    """A local business the concierge works with."""

    __tablename__ = "concierge_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(30), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    items = relationship("CatalogItem", back_populates="provider", order_by="CatalogItem.name")


class CatalogItem(TenantMixin, db.Model):
    """One priced service of a provider (a shirt to press, a basket of vegetables)."""

    __tablename__ = "concierge_catalog_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("concierge_provider.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    #: Price in cents, VAT included, as the employee pays it to the provider.
    price_cents: Mapped[int] = mapped_column(default=0)
    unit: Mapped[str] = mapped_column(String(40), default="")
    #: Working days the provider needs before the order can be ready.
    lead_time_days: Mapped[int] = mapped_column(default=2)
    active: Mapped[bool] = mapped_column(default=True)

    provider = relationship("Provider", back_populates="items")


class PickupPoint(TenantMixin, db.Model):
    """Where employees drop off and collect: a room in a business park, a town-hall desk."""

    __tablename__ = "concierge_pickup_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300), default="")
    business_park: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)

    slots = relationship("PickupSlot", back_populates="pickup_point", order_by="(PickupSlot.weekday, PickupSlot.starts_at)")


class PickupSlot(TenantMixin, db.Model):
    """A weekly opening of a pickup point (e.g. Tuesday 11:30-14:00)."""

    __tablename__ = "concierge_pickup_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_point_id: Mapped[int] = mapped_column(ForeignKey("concierge_pickup_point.id", ondelete="CASCADE"),
                                                 index=True)
    #: 0 = Monday … 6 = Sunday.
    weekday: Mapped[int] = mapped_column()
    starts_at: Mapped[time] = mapped_column()
    ends_at: Mapped[time] = mapped_column()

    pickup_point = relationship("PickupPoint", back_populates="slots")


class Order(TenantMixin, db.Model):
    """The concierge side of a service request: where, when, what, for how much."""

    __tablename__ = "concierge_order"
    __table_args__ = (Index("ix_concierge_order_dropoff", "territory_id", "dropoff_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    #: Kept here so the person's notes can be erased with the rest of their data.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("concierge_pickup_slot.id", ondelete="SET NULL"), index=True)
    dropoff_date: Mapped[date] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    total_cents: Mapped[int] = mapped_column(default=0)

    request = relationship("ServiceRequest")
    slot = relationship("PickupSlot")
    lines = relationship("OrderLine", back_populates="order", cascade="all, delete-orphan")


class OrderLine(TenantMixin, db.Model):
    """One catalogue item of an order, with the price at the time of ordering."""

    __tablename__ = "concierge_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("concierge_order.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("concierge_catalog_item.id", ondelete="SET NULL"),
                                                index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("concierge_provider.id", ondelete="SET NULL"),
                                                    index=True)
    label: Mapped[str] = mapped_column(String(160))
    quantity: Mapped[int] = mapped_column()
    unit_price_cents: Mapped[int] = mapped_column()

    order = relationship("Order", back_populates="lines")
    provider = relationship("Provider")


class RoundFact(TenantMixin, db.Model):
    """What one order still to collect adds to the round, per provider and label (see ``round.py``).

    Kept so that a request leaving the round (delivered, cancelled, deleted) is
    subtracted exactly, even once its order and lines are gone. Only orders whose
    request is in ``ROUND_STATUSES`` have facts: the table holds the open orders, not the history.
    """

    __tablename__ = "concierge_round_fact"
    __table_args__ = (UniqueConstraint("request_id", "provider_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No foreign key: the facts of a deleted request are read once more to be subtracted.
    request_id: Mapped[int] = mapped_column()
    dropoff_date: Mapped[date] = mapped_column()
    slot_id: Mapped[int] = mapped_column(ForeignKey("concierge_pickup_slot.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("concierge_provider.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(160))
    quantity: Mapped[int] = mapped_column()


class RoundCell(TenantMixin, db.Model):
    """The round of one day, slot, provider and label: items to collect and the orders they come from.

    The round page reads these cells (names joined) instead of every order line;
    a deleted slot or provider takes its cells with it, as its lines leave the round.
    """

    __tablename__ = "concierge_round_cell"
    __table_args__ = (
        UniqueConstraint("slot_id", "dropoff_date", "provider_id", "label"),
        Index("ix_concierge_round_cell_day", "territory_id", "dropoff_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dropoff_date: Mapped[date] = mapped_column()
    slot_id: Mapped[int] = mapped_column(ForeignKey("concierge_pickup_slot.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("concierge_provider.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(160))
    quantity: Mapped[int] = mapped_column(default=0)
    orders: Mapped[int] = mapped_column(default=0)
