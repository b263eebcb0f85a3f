"""What a territory publishes, which of its events are public, and visitors' registrations to them."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

#: The sections a territory may publish, each its own setting.
SECTIONS = ("services", "needs", "projects", "events")


class PublicationSettings(TenantMixin, db.Model):
    """One row per territory: which sections visitors read (nothing until an admin says so)."""

    __tablename__ = "public_settings"
    __table_args__ = (UniqueConstraint("territory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    services: Mapped[bool] = mapped_column(default=False)
    needs: Mapped[bool] = mapped_column(default=False)
    projects: Mapped[bool] = mapped_column(default=False)
    events: Mapped[bool] = mapped_column(default=False)
    #: A sentence or two about the territory, shown on the public home and as its meta description.
    introduction: Mapped[str] = mapped_column(Text, default="")


class PublishedEvent(TenantMixin, db.Model):
    """A governance event shown on the public pages, possibly open to registration by visitors."""

    __tablename__ = "public_event"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("governance_event.id", ondelete="CASCADE"))
    registration_open: Mapped[bool] = mapped_column(default=False)
    #: Places for visitors (None: no limit).
    capacity: Mapped[int | None]

    event = relationship("GovernanceEvent")


class PublicRegistration(TenantMixin, db.Model):
    """A visitor's registration to a public event: only what the organisers need to welcome them."""

    __tablename__ = "public_registration"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("governance_event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Lower-case; one registration per address and event.
    email: Mapped[str] = mapped_column(String(254), index=True)
    company: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
