"""Rollup tables: each request's contribution (facts) and the monthly totals read by pages."""
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

#: organization_id of the cells that total every organization.
ALL_ORGANIZATIONS = 0


class RequestFact(TenantMixin, db.Model):
    """What one request contributes to one rollup, kept so that a change can be subtracted exactly."""

    __tablename__ = "request_fact"
    __table_args__ = (
        UniqueConstraint("request_id", "rollup_key"),
        Index("ix_request_fact_cell", "rollup_key", "module_id", "month", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rollup_key: Mapped[str] = mapped_column(String(80))
    #: No foreign key: the facts of a deleted request are read once more to be subtracted.
    request_id: Mapped[int] = mapped_column()
    module_id: Mapped[int] = mapped_column(ForeignKey("service_module.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column()
    #: First day of the month (UTC) the request was created in.
    month: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(40))
    requester_id: Mapped[int | None] = mapped_column()
    value: Mapped[float] = mapped_column(Float)


class RequestRollup(TenantMixin, db.Model):
    """The totals of one rollup for one module, month, organization (0: all) and status ('' unless counted by status)."""

    __tablename__ = "request_rollup"
    __table_args__ = (
        UniqueConstraint("territory_id", "rollup_key", "module_id", "organization_id", "month", "status",
                         name="uq_request_rollup_cell"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rollup_key: Mapped[str] = mapped_column(String(80))
    module_id: Mapped[int] = mapped_column(ForeignKey("service_module.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(default=ALL_ORGANIZATIONS)
    month: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(40), default="")
    #: Facts in the cell, and the sum of their values (additive: kept by increments).
    count: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    #: Distinct requesters or the percentile, recomputed from the cell's facts when they change.
    value: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RollupBuild(db.Model):
    """When each rollup was last rebuilt, and from which definition (a changed definition asks for a rebuild)."""

    __tablename__ = "rollup_build"

    rollup_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: SHA-256 of the SQL that computes the facts, and of the aggregate.
    fingerprint: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
