"""Organizations of a territory: companies, local authorities, associations."""
import secrets
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

ORGANIZATION_KINDS = ("company", "local_authority", "association")
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")


def size_band_for(employee_count):
    """The size band of a headcount (INSEE bands), or None when the headcount is unknown (0)."""
    if not employee_count or employee_count <= 0:
        return None
    if employee_count < 10:
        return "1-9"
    if employee_count < 50:
        return "10-49"
    if employee_count < 250:
        return "50-249"
    return "250+"


def new_invitation_code():
    """Return a short code a referent hands to employees so they can join."""
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y").upper()


class Organization(TenantMixin, db.Model):
    """A member organization; employees join it with its invitation code."""

    __table_args__ = (UniqueConstraint("territory_id", "name"), UniqueConstraint("invitation_code"),
                      Index("ix_organization_territory_id_siret", "territory_id", "siret"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20), default="company")
    siret: Mapped[str | None] = mapped_column(String(14))
    size_band: Mapped[str] = mapped_column(String(10), default="1-9")
    #: Approximate headcount, used to weight needs and normalise indicators.
    employee_count: Mapped[int] = mapped_column(default=0)
    sector: Mapped[str] = mapped_column(String(120), default="")
    business_park: Mapped[str] = mapped_column(String(120), default="")
    #: Postal address, one line or several.
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    invitation_code: Mapped[str] = mapped_column(String(16), default=new_invitation_code)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("employee_count")
    def _band_follows_count(self, key, value):
        """A known headcount decides the size band, so the two never disagree."""
        band = size_band_for(value)
        if band is not None:
            self._band_from_headcount = True
            try:
                self.size_band = band
            finally:
                self._band_from_headcount = False
        return value

    @validates("size_band")
    def _band_from_count(self, key, value):
        if getattr(self, "_band_from_headcount", False):
            return value
        return size_band_for(self.employee_count) or value

    def __repr__(self):
        return f"<Organization {self.name}>"
