"""Coworking desks tables, all named after the plugin and owned by a territory."""
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import TenantMixin, db


class Resource(TenantMixin, db.Model):
    """A desk of the coworking space, booked by the day."""

    __tablename__ = "coworking_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)


class Booking(TenantMixin, db.Model):
    """The plugin's side of a service request: which resource, which day."""

    __tablename__ = "coworking_booking"
    # One live booking per desk and day, even when two people click at once: the database decides.
    __table_args__ = (Index("uq_coworking_booking_desk_day", "resource_id", "day", unique=True,
                            sqlite_where=text("active"), postgresql_where=text("active")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    #: Kept so the person's notes can be erased with the rest of their data.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("coworking_resource.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    #: False once the request is declined or cancelled, which frees the desk for that day.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    resource = relationship(Resource)
