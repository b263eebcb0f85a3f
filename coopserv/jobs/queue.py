"""Each app's task queue: huey on SQLite under instance/ by default, on Redis when REDIS_URL is set.

huey is a maintained task queue with both stores built in, so one machine
needs no server and several machines share Redis with the same code.
"""
import logging
import os
import time

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

from coopserv.jobs.registry import PeriodicJob, declared_jobs, install_commit_hooks, worker_name

log = logging.getLogger("coopserv.jobs")

HEARTBEAT_KEY = "coopserv:heartbeat"


class JobQueue:
    """The app's huey instance with every declared job bound to it."""

    def __init__(self, app):
        self.app = app
        self.huey = _make_huey(app)
        self.tasks = {}
        self.periodic = {}
        for spec in declared_jobs().values():
            self._bind(spec)
        self._bind_heartbeat()

    @property
    def backend(self):
        """"immediate", "redis" or "sqlite": what /readyz reports."""
        if self.huey.immediate:
            return "immediate"
        return "redis" if isinstance(self.huey, RedisHuey) else "sqlite"

    def _bind(self, spec):
        runner = _runner(self.app, spec)
        options = dict(retries=spec.retries, retry_delay=spec.retry_delay, retry_backoff=spec.retry_backoff,
                       name=spec.name)
        if isinstance(spec, PeriodicJob):
            self.periodic[spec.name] = spec
            # Checked every few minutes; the period decides whether the job is due (so a late worker catches up).
            minutes = spec.period.check_minutes(self.app.config)
            self.tasks[spec.name] = self.huey.periodic_task(crontab(minute=f"*/{minutes}"), **options)(runner)
        else:
            self.tasks[spec.name] = self.huey.task(**options)(runner)

    def _bind_heartbeat(self):
        """A job every minute that stamps the time: /readyz reads how late the queue is."""

        def heartbeat():
            self.huey.put(HEARTBEAT_KEY, time.time())

        self.huey.periodic_task(crontab(minute="*"), name="coopserv.heartbeat")(heartbeat)

    def send(self, name, args=(), kwargs=None):
        """Put one run of job ``name`` on the queue (run at once in immediate mode)."""
        return self.tasks[name](*args, **(kwargs or {}))

    def run_periodic_now(self, name, now=None):
        """Run a periodic job's body here and now, for ``coopserv tick``-like commands and tests."""
        from coopserv.jobs.periodic import run_once_per_period

        with self.app.app_context():
            return run_once_per_period(self.periodic[name], now=now)

    def pending(self):
        """Jobs waiting in the queue (not counting scheduled retries)."""
        return self.huey.pending_count()

    def heartbeat_age(self):
        """Seconds since a worker last ran the heartbeat job, or None when none ever did."""
        stamp = self.huey.get(HEARTBEAT_KEY, peek=True)
        return None if stamp is None else max(0.0, time.time() - float(stamp))

    def ping(self):
        """Reach the store (raises when it is down)."""
        if isinstance(self.huey, RedisHuey):
            self.huey.storage.conn.ping()
        else:
            self.huey.pending_count()

    def consumer(self, workers=2, periodic=True):
        """A huey consumer running this app's jobs in ``workers`` threads."""
        log.info("Worker %s starts: %s queue, %s threads", worker_name(), self.backend, workers)
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                         check_worker_health=True)


def _make_huey(app):
    config = app.config
    if config.get("JOBS_IMMEDIATE"):
        return MemoryHuey("coopserv", immediate=True, results=False, utc=True)
    if config.get("REDIS_URL"):
        return RedisHuey("coopserv", url=config["REDIS_URL"], results=False, utc=True)
    path = config.get("JOBS_SQLITE_PATH") or os.path.join(app.instance_path, "jobs.sqlite")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SqliteHuey("coopserv", filename=path, results=False, utc=True)


def _runner(app, spec):
    """Wrap a job: its own app context and session, its territory named in the log when it fails."""

    def run(*args, **kwargs):
        from coopserv.extensions import db

        with app.app_context():
            try:
                if isinstance(spec, PeriodicJob):
                    from coopserv.jobs.periodic import run_once_per_period

                    return run_once_per_period(spec)
                return spec.func(*args, **kwargs)
            except Exception:
                db.session.rollback()
                log.exception("Job %s failed (territory %s, worker %s); retried up to %s times with backoff",
                              spec.name, _territory_label(kwargs), worker_name(), spec.retries)
                raise
            finally:
                db.session.remove()

    run.__name__ = spec.name.rsplit(".", 1)[-1]
    return run


def _territory_label(kwargs):
    """The slug of the territory a job works for, read from its ``territory_id`` argument."""
    territory_id = kwargs.get("territory_id")
    if territory_id is None:
        return "-"
    try:
        from coopserv.extensions import db
        from coopserv.territories.models import Territory

        territory = db.session.get(Territory, territory_id)
        return territory.slug if territory else f"#{territory_id}"
    except Exception:
        return f"#{territory_id}"


def init_jobs(app):
    """Import the modules declaring jobs and bind them to a queue for ``app``."""
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)
    install_commit_hooks()
    app.extensions["coopserv_jobs"] = JobQueue(app)


#: Core modules declaring jobs (imported before binding, so every app knows every job).
JOB_MODULES = (
    "coopserv.jobs.builtin",
    "coopserv.emails.jobs",
    "coopserv.documents.jobs",
    # Modules declaring document builders, so a worker can build every document.
    "coopserv.projects.documents",
    "coopserv.governance.documents",
)
