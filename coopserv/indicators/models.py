"""Monthly indicator snapshots: history that survives when the rows behind it are erased."""
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class IndicatorSnapshot(TenantMixin, db.Model):
    """The value of one indicator for one module over one calendar month."""

    __tablename__ = "indicator_snapshot"
    __table_args__ = (UniqueConstraint("territory_id", "module_id", "indicator_key", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for the core's own indicators (needs, governance), which belong to no module.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("service_module.id", ondelete="CASCADE"), index=True)
    indicator_key: Mapped[str] = mapped_column(String(80))
    #: First day of the month the value covers.
    month: Mapped[date] = mapped_column()
    value: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndicatorSharing(TenantMixin, db.Model):
    """A territory's choice to compare one indicator with other territories, and to publish it."""

    __tablename__ = "indicator_sharing"
    __table_args__ = (UniqueConstraint("territory_id", "indicator_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_key: Mapped[str] = mapped_column(String(80))
    #: Shown beside other territories that share it too.
    compare: Mapped[bool] = mapped_column(default=True)
    #: Listed on the territory's public open-data page (no sign-in).
    public: Mapped[bool] = mapped_column(default=False)


class IndicatorCache(TenantMixin, db.Model):
    """A computed indicator's monthly value, kept a short while so dashboards do not recompute it on every view.

    Only for indicators without a rollup (those computed by their ``compute``
    function); fresh for ``INDICATOR_CACHE_SECONDS`` while the month is open.
    """

    __tablename__ = "indicator_cache"
    __table_args__ = (UniqueConstraint("territory_id", "indicator_key", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_key: Mapped[str] = mapped_column(String(80))
    month: Mapped[date] = mapped_column()
    value: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
