"""Organizations of a territory: companies, local authorities, associations."""
import secrets
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

ORGANIZATION_KINDS = ("company", "local_authority", "association")
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")


def size_band_for(headcount):
    """The size band a headcount falls in."""
    if headcount >= 250:
        return "250+"
    if headcount >= 50:
        return "50-249"
    if headcount >= 10:
        return "10-49"
    return "1-9"


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

    def __repr__(self):
        return f"<Organization {self.name}>"
