"""Periods of periodic jobs, and the claim that runs each job once per period.

Every worker's scheduler enqueues every periodic check; the first run to insert
the ``job_run`` row for the period does the work, the others find the row and
stop. The unique key is the lock, so it holds across processes and machines
(both on SQLite and PostgreSQL). A run that fails releases its claim, so the
next check (or huey's retry) tries again.
"""
import logging
import traceback
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from coopserv.extensions import db
from coopserv.jobs.models import JobRun
from coopserv.jobs.registry import worker_name
from coopserv.timeutil import utcnow

log = logging.getLogger("coopserv.jobs")

#: Divisors of 60, so "every N minutes" periods line up with the hour.
MINUTE_STEPS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)


def _step(config, key):
    value = int(config.get(key) or 5)
    if value not in MINUTE_STEPS:
        raise ValueError(f"{key} must divide 60 (one of {MINUTE_STEPS}), not {value}.")
    return value


@dataclass(frozen=True)
class EveryMinutes:
    """A period of N minutes, N read from the configuration key ``config_key``."""

    config_key: str

    def check_minutes(self, config):
        return _step(config, self.config_key)

    def due_period(self, now, config):
        step = _step(config, self.config_key)
        minute_of_day = (now.hour * 60 + now.minute) // step * step
        return now.replace(hour=minute_of_day // 60, minute=minute_of_day % 60, second=0, microsecond=0)


@dataclass(frozen=True)
class Daily:
    """A day (UTC), due from the hour named by ``hour_key``."""

    hour_key: str
    check_key: str = "TICK_MINUTES"

    def check_minutes(self, config):
        return _step(config, self.check_key)

    def due_period(self, now, config):
        if now.hour < int(config.get(self.hour_key, 0)):
            return None
        return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Monthly:
    """A calendar month (UTC), due from its first day at ``hour``."""

    hour: int = 2
    check_key: str = "TICK_MINUTES"

    def check_minutes(self, config):
        return _step(config, self.check_key)

    def due_period(self, now, config):
        if now.day == 1 and now.hour < self.hour:
            return None
        return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def period_key(period):
    return period.isoformat(timespec="minutes")


def claim(name, period):
    """Insert the run's row; True when this process won the period, False when another did."""
    if db.session.scalar(select(JobRun.id).filter_by(name=name, period=period_key(period))) is not None:
        return False
    db.session.add(JobRun(name=name, period=period_key(period), worker=worker_name()))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def run_once_per_period(spec, now=None):
    """Run a periodic job's body if it is due and nobody ran it this period; return whether it ran."""
    now = now or utcnow()
    period = spec.period.due_period(now, current_app.config)
    if period is None or not claim(spec.name, period):
        return False
    key = period_key(period)
    try:
        spec.func(now=now, period=period)
    except Exception:
        db.session.rollback()
        # Release the claim: the retry, or the next check, runs the period again.
        db.session.execute(delete(JobRun).filter_by(name=spec.name, period=key))
        db.session.commit()
        log.error("Periodic job %s failed for period %s:\n%s", spec.name, key, traceback.format_exc())
        raise
    db.session.execute(JobRun.__table__.update().where(JobRun.name == spec.name, JobRun.period == key)
                       .values(status="done", finished_at=utcnow()))
    db.session.commit()
    return True


def last_runs():
    """The latest run of each periodic job (for /readyz and the admin)."""
    rows = db.session.execute(select(JobRun.name, JobRun.period, JobRun.status, JobRun.finished_at)
                              .order_by(JobRun.id.desc()).limit(50)).all()
    latest = {}
    for name, period, status, finished_at in rows:
        latest.setdefault(name, {"period": period, "status": status, "finished_at": finished_at})
    return latest


def prune_runs(before):
    """Forget periodic runs older than ``before`` (the table would otherwise grow by the minute)."""
    db.session.execute(delete(JobRun).where(JobRun.started_at < before))
    db.session.commit()
