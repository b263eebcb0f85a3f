"""Declare jobs once (at import), bind them to each app's queue, and send them after commits.

Jobs are plain functions taking JSON-like arguments (ids, not ORM objects): a
worker on another machine loads what it needs from the database. Each run gets
an application context of its own, hence its own database session, exactly as
in a worker process, even when tests run jobs at once (huey's immediate mode).
"""
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("coopserv.jobs")

_JOBS: dict[str, "JobSpec"] = {}
_PENDING_KEY = "coopserv_jobs_after_commit"


@dataclass(frozen=True)
class JobSpec:
    """A job: its name on the queue, its function and how a failure is retried."""

    name: str
    func: Callable
    retries: int
    #: Seconds before the first retry; each further retry waits ``retry_backoff`` times longer.
    retry_delay: int
    retry_backoff: float


@dataclass(frozen=True)
class PeriodicJob(JobSpec):
    """A job the queue runs by itself, once per period whatever the number of workers.

    ``period`` is one of the schedules of ``coopserv.jobs.periodic`` (every N
    minutes, daily, monthly); the function receives ``now`` and ``period``
    (the period's first instant, naive UTC).
    """

    period: Any = None


def job(retries=3, retry_delay=30, retry_backoff=2.0, name=None):
    """Declare a function as a job; failures are logged with their territory and retried with backoff."""

    def decorator(func):
        spec = JobSpec(name or f"{func.__module__}.{func.__name__}", func, retries, retry_delay, retry_backoff)
        _declare(spec)
        func.job_name = spec.name
        return func

    return decorator


def periodic_job(period, retries=2, retry_delay=60, retry_backoff=2.0, name=None):
    """Declare a function the queue runs once per ``period`` (see ``coopserv.jobs.periodic``)."""

    def decorator(func):
        spec = PeriodicJob(name or f"{func.__module__}.{func.__name__}", func, retries, retry_delay, retry_backoff,
                           period=period)
        _declare(spec)
        func.job_name = spec.name
        return func

    return decorator


def _declare(spec):
    existing = _JOBS.get(spec.name)
    if existing is not None and existing.func is not spec.func and existing.func.__qualname__ != spec.func.__qualname__:
        raise RuntimeError(f"Job {spec.name!r} is declared twice.")
    _JOBS[spec.name] = spec


def declared_jobs():
    """Every declared job, by name."""
    return dict(_JOBS)


def worker_name():
    """host:pid of this process, recorded with periodic runs and in logs."""
    return f"{socket.gethostname()}:{os.getpid()}"


# -- sending ------------------------------------------------------------------------------
def enqueue(func, *args, **kwargs):
    """Send a job to the queue now (for work tied to no write, such as building a document)."""
    queue = current_app.extensions["coopserv_jobs"]
    return queue.send(func.job_name, args, kwargs)


def enqueue_after_commit(func, *args, **kwargs):
    """Send a job when the current transaction commits; forget it if it rolls back.

    A job sent before the commit could run before its rows exist, or for rows
    that were never kept.
    """
    from coopserv.extensions import db

    db.session.info.setdefault(_PENDING_KEY, []).append((func.job_name, args, kwargs))


def _send_pending(session):
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    queue = current_app.extensions["coopserv_jobs"]
    for name, args, kwargs in pending:
        try:
            queue.send(name, args, kwargs)
        except Exception:  # the commit is done: losing a job must not turn the page into an error
            log.exception("Could not enqueue job %s after commit", name)


def _drop_pending(session):
    session.info.pop(_PENDING_KEY, None)


def install_commit_hooks():
    """Send pending jobs after each commit, drop them on rollback (idempotent)."""
    if not event.contains(Session, "after_commit", _send_pending):
        event.listen(Session, "after_commit", _send_pending)
        event.listen(Session, "after_rollback", _drop_pending)
