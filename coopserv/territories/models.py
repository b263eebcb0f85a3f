"""The territory: the tenant every other row belongs to."""
from datetime import datetime

from sqlalchemy import Float, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class Territory(db.Model):
    """A territory runs its own portal at /t/<slug>/."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(120), default="")
    #: Colours of the portal header, as #rrggbb.
    primary_color: Mapped[str] = mapped_column(String(7), default="#1d5e3a")
    accent_color: Mapped[str] = mapped_column(String(7), default="#f2c14e")
    #: URL (usually under /static) of the territory logo, or empty; an uploaded logo wins.
    logo_url: Mapped[str] = mapped_column(String(300), default="")
    #: File name of the uploaded logo under instance/logos/ (set by coopserv.branding), or None.
    logo_file: Mapped[str | None] = mapped_column(String(80))
    default_language: Mapped[str] = mapped_column(String(5), default="fr")
    #: IANA time zone in which times are shown and typed; stored times stay UTC.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", server_default="Europe/Paris")
    #: Optional host name that resolves to this territory.
    host: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Number of the territory's last service request: requests are numbered per territory (#1, #2...).
    last_request_number: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Share of RGAA criteria met by the manual audit of the accessibility statement, or None (then the
    #: automated audit counts). A copy of the statement's field, kept by coopserv.legal.services, so that
    #: every footer says the conformity level from the territory row the request already loaded.
    accessibility_audit_rate: Mapped[float | None] = mapped_column(Float)

    def __repr__(self):
        return f"<Territory {self.slug}>"


class TerritoryTown(TenantMixin, db.Model):
    """A commune of the territory, from the official administrative division (never typed by hand).

    Its point (latitude, longitude) is entered once by the operator; services such as
    carpooling use it instead of asking each employee for coordinates.
    """

    __table_args__ = (UniqueConstraint("territory_id", "insee_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    insee_code: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
