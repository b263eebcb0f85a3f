"""The core's jobs: plugin ticks, monthly indicator snapshots, housekeeping, rollup rebuilds."""
import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.jobs.periodic import Daily, EveryMinutes, Monthly, prune_runs
from coopserv.jobs.registry import enqueue, job, periodic_job
from coopserv.tenancy import territory_scope
from coopserv.territories.models import Territory

log = logging.getLogger("coopserv.jobs")


class TickFailed(RuntimeError):
    """A plugin's tick raised for a territory: the territory's tick is retried (ticks are idempotent)."""


def territory_ids():
    return list(db.session.scalars(select(Territory.id).order_by(Territory.id)))


# -- plugin ticks -------------------------------------------------------------------------
@periodic_job(EveryMinutes("TICK_MINUTES"))
def tick(now, period):
    """Every TICK_MINUTES: one tick job per territory, so one failing territory is retried alone."""
    for territory_id in territory_ids():
        enqueue(tick_territory, territory_id=territory_id, now=now.isoformat())


@job(retries=3, retry_delay=30, retry_backoff=2.0)
def tick_territory(territory_id, now):
    """Run every plugin's ``tick`` for one territory; raise when one failed, so the job is retried."""
    territory = db.session.get(Territory, territory_id)
    if territory is None:
        return []
    return run_ticks(territory, datetime.fromisoformat(now), raise_on_failure=True)


def run_ticks(territory, now, raise_on_failure=False):
    """Call each plugin's tick for ``territory``; log failures with the territory; return the failed plugins."""
    host = current_app.extensions["coopserv"]
    failed = []
    with territory_scope(territory):
        for impl in reversed(host.pm.hook.tick.get_hookimpls()):
            try:
                impl.function(territory=territory, now=now)
            except Exception:
                db.session.rollback()
                log.exception("Plugin %s failed its tick in territory %s", impl.plugin_name, territory.slug)
                failed.append(impl.plugin_name)
    if failed and raise_on_failure:
        raise TickFailed(f"tick failed in territory {territory.slug} for: {', '.join(failed)}")
    return failed


# -- indicators -----------------------------------------------------------------------------
@periodic_job(Monthly(hour=2))
def snapshot_indicators(now, period):
    """On the first of each month: record last month's indicators, one job per territory."""
    last_month = (period.date() - timedelta(days=1)).replace(day=1)
    for territory_id in territory_ids():
        enqueue(snapshot_territory, territory_id=territory_id, month=last_month.isoformat())


@job(retries=3, retry_delay=60)
def snapshot_territory(territory_id, month):
    from coopserv.indicators.services import snapshot_month

    territory = db.session.get(Territory, territory_id)
    if territory is None:
        return 0
    with territory_scope(territory):
        return snapshot_month(date.fromisoformat(month))


@job(retries=3, retry_delay=60)
def rebuild_indicator_rollups(territory_id=None, keys=None):
    """Rebuild indicator rollups (every territory, or one; every rollup, or ``keys``) in a worker.

    Rebuilding reads every request of a territory: a page or a command that changes
    what rollups sum calls ``enqueue_after_commit(rebuild_indicator_rollups, territory_id=...)``
    instead of rebuilding inside the web request. It calls ``coopserv.rollups.services.rebuild``
    (the scale work's rollup tables) when that module exists, and commits.
    """
    import importlib

    try:
        rollups = importlib.import_module("coopserv.rollups.services")
    except ModuleNotFoundError:
        log.info("No indicator rollups to rebuild in this version.")
        return None
    if territory_id is not None and db.session.get(Territory, territory_id) is None:
        return None
    rebuilt = rollups.rebuild(set(keys) if keys else None, territory_id)
    db.session.commit()
    log.info("Rebuilt rollups %s for %s", ", ".join(rebuilt or []) or "(none)",
             f"territory {territory_id}" if territory_id else "every territory")
    return rebuilt


# -- housekeeping --------------------------------------------------------------------------------
@periodic_job(Daily("HOUSEKEEPING_HOUR"))
def housekeeping(now, period):
    """Once a day: forget periodic runs older than a month."""
    prune_runs(now - timedelta(days=31))
