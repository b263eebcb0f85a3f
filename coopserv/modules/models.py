"""Service modules: one service type enabled in one territory, and who may use it."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

PROTOTYPE = "prototype"
PILOT = "pilot"
PERENNIAL = "perennial"
STOPPED = "stopped"
STAGES = (PROTOTYPE, PILOT, PERENNIAL, STOPPED)
#: Stages in which only the pilot organizations see the module.
PILOT_STAGES = (PROTOTYPE, PILOT)

OPEN = "open"
MEMBERS_ONLY = "members_only"
ACCESS_RULES = (OPEN, MEMBERS_ONLY)

NO_QUOTA = "none"
MONTHLY_REQUESTS = "monthly_requests"
PLACES = "places"
QUOTA_KINDS = (NO_QUOTA, MONTHLY_REQUESTS, PLACES)

module_pilot_organization = Table(
    "module_pilot_organization",
    db.metadata,
    Column("module_id", ForeignKey("service_module.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ServiceModule(TenantMixin, db.Model):
    """A service type (a plugin's) as one territory runs it."""

    __table_args__ = (UniqueConstraint("territory_id", "service_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_key: Mapped[str] = mapped_column(String(60))
    enabled: Mapped[bool] = mapped_column(default=True)
    stage: Mapped[str] = mapped_column(String(20), default=PROTOTYPE)
    #: Validated by the plugin's config schema before it is stored.
    config: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    #: open: every organization of the territory; members_only: those in ModuleMember.
    access: Mapped[str] = mapped_column(String(20), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pilot_organizations = relationship("Organization", secondary=module_pilot_organization, order_by="Organization.name")
    members = relationship("ModuleMember", back_populates="module", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<ServiceModule {self.service_key} {self.stage}>"


class ModuleMember(TenantMixin, db.Model):
    """An organization that funds or joins a module, with its optional quota."""

    __table_args__ = (UniqueConstraint("module_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("service_module.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    quota_kind: Mapped[str] = mapped_column(String(20), default=NO_QUOTA)
    #: Requests per month, or places (open requests at once), depending on quota_kind.
    quota_value: Mapped[int | None] = mapped_column()

    module = relationship("ServiceModule", back_populates="members")
    organization = relationship("Organization")
