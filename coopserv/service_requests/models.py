"""The generic life of a service request; plugins own what the payload means."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class ServiceRequest(TenantMixin, db.Model):
    """What one person asked of one module, and where it stands."""

    __table_args__ = (
        # The operator's queue by key (id), with or without a status filter; live indicators by month.
        Index("ix_service_request_module_id_id", "module_id", "id"),
        Index("ix_service_request_module_status_id", "module_id", "status", "id"),
        Index("ix_service_request_module_created", "module_id", "created_at"),
        # A person's requests, newest first.
        Index("ix_service_request_requester_id_id", "requester_id", "id"),
        UniqueConstraint("territory_id", "number", name="uq_service_request_territory_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The request's number within its territory, given on insert (see ``_number_request``).
    number: Mapped[int | None] = mapped_column()
    module_id: Mapped[int] = mapped_column(ForeignKey("service_module.id", ondelete="CASCADE"))
    #: None once the requester's personal data has been erased.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(40))
    #: Validated by the plugin's request schema; the plugin may keep more in its own tables.
    payload: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    module = relationship("ServiceModule")
    requester = relationship("User")
    organization = relationship("Organization")
    history = relationship(
        "StatusChange", back_populates="request", order_by="StatusChange.id", cascade="all, delete-orphan"
    )

    @property
    def reference(self):
        return self.reference_of(self.number, self.id)

    @staticmethod
    def reference_of(number, request_id):
        """The reference people see ("#12", numbered per territory), for pages that read columns, not objects."""
        return f"#{number or request_id}"


@event.listens_for(ServiceRequest, "before_insert")
def _number_request(mapper, connection, target):
    """Take the territory's next request number.

    The UPDATE locks the territory's row until the transaction ends, so two
    requests submitted at once in one territory (PostgreSQL) get consecutive
    numbers, never the same one; the unique constraint is the backstop.
    """
    if target.number is not None:
        return
    from coopserv.territories.models import Territory

    table = Territory.__table__
    target.number = connection.execute(
        update(table).where(table.c.id == target.territory_id)
        .values(last_request_number=table.c.last_request_number + 1)
        .returning(table.c.last_request_number)
    ).scalar_one()


class StatusChange(TenantMixin, db.Model):
    """One step of a request's history: who moved it, from where to where, when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request = relationship("ServiceRequest", back_populates="history")
    actor = relationship("User")
