"""The record of periodic runs: one row per job and period, which is also the lock."""
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.timeutil import utcnow


class JobRun(db.Model):
    """A periodic job claimed for one period; the unique key makes a second claim fail."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("name", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The period's first instant in UTC, as ISO text ("2026-03-29T01:05").
    period: Mapped[str] = mapped_column(String(32))
    #: Which process claimed it (host:pid), to read logs from several machines.
    worker: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: "running", "done" or "failed".
    status: Mapped[str] = mapped_column(String(10), default="running")
    error: Mapped[str] = mapped_column(Text, default="")
