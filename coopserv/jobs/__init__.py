"""Work done outside web requests: e-mail, documents, rollups and periodic work, on a huey task queue.

Declare a job with ``@job`` (or ``@periodic_job``) in any core module listed in
``JOB_MODULES``; ``create_app`` binds every declared job to the app's queue.
Send one with ``enqueue_after_commit`` (the usual case: the job reads what the
current transaction writes, and must not run when it rolls back) or
``enqueue`` (work tied to no write, such as building a document on demand).
"""
from coopserv.jobs.registry import (
    PeriodicJob,
    enqueue,
    enqueue_after_commit,
    job,
    periodic_job,
)

__all__ = ["PeriodicJob", "enqueue", "enqueue_after_commit", "job", "periodic_job"]
