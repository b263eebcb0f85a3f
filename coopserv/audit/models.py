"""The audit log of administrative actions."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class AuditEntry(TenantMixin, db.Model):
    """Who did which admin action on what, and when."""

    #: The audit log is read newest first, a page at a time, by key.
    __table_args__ = (Index("ix_audit_entry_territory_id_id", "territory_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: A dotted action name such as "module.enabled" or "membership.role_added".
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User")
