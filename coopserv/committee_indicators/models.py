"""Committee-defined indicators: what is measured, how, by whom, towards which target; and the monthly figures."""
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.i18n import _l
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

#: A figure typed each month by a named person, or a count of data the platform already holds.
MANUAL = "manual"
COUNT = "count"
METHODS = {MANUAL: _l("A figure entered each month by a named person"),
           COUNT: _l("A count of data the platform holds, with a filter")}

#: How monthly figures add up over a longer period (a quarter, the experiment).
SUM = "sum"
LAST = "last"
AGGREGATIONS = {SUM: _l("Add the months up (a flow: hires, visits…)"),
                LAST: _l("Keep the latest month (a level: members, satisfaction…)")}

#: Registry keys of committee indicators start with this, so they never meet a plugin's.
KEY_PREFIX = "committee."


class CommitteeIndicator(TenantMixin, db.Model):
    """An indicator the committee defined: its name and unit, how it is measured and its target."""

    __tablename__ = "committee_indicator"
    __table_args__ = (UniqueConstraint("territory_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Registry key (``committee.<slug of the first name>``), kept when the name changes.
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(10))
    #: Manual indicators: who enters the monthly figure.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    aggregation: Mapped[str] = mapped_column(String(10), default=SUM)
    #: Count indicators: which data (a source of ``sources.SOURCES``) and the filter on it.
    source: Mapped[str | None] = mapped_column(String(40))
    filters: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    target_value: Mapped[float | None] = mapped_column(Float)
    #: Compared between territories per 1,000 employees (for counts of people or events).
    per_employees: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reporter = relationship("User")
    figures = relationship("IndicatorFigure", back_populates="indicator", cascade="all, delete-orphan",
                           order_by="IndicatorFigure.month")


class IndicatorFigure(TenantMixin, db.Model):
    """The value of a manual indicator for one month, and who entered it."""

    __tablename__ = "committee_indicator_figure"
    __table_args__ = (UniqueConstraint("indicator_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("committee_indicator.id", ondelete="CASCADE"), index=True)
    #: First day of the month the figure covers.
    month: Mapped[date] = mapped_column()
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(300), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator = relationship("CommitteeIndicator", back_populates="figures")
    entered_by = relationship("User")
