"""Probes for a load balancer: /healthz (the process answers) and /readyz (database, Redis and queue reachable).

Neither needs a session, a territory or a sign-in, and neither writes.
"""
import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from coopserv.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up (no dependency is checked: a restart would not help them)."""
    return jsonify(status="ok")


def _check(name, probe):
    started = time.monotonic()
    try:
        detail = probe() or {}
    except Exception as error:  # any failure means "not ready", with its reason
        return {"name": name, "ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"name": name, "ok": True, "ms": round(1000 * (time.monotonic() - started), 1), **detail}


def _database():
    db.session.execute(text("SELECT 1"))
    db.session.rollback()


def _redis():
    import redis

    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _queue():
    queue = current_app.extensions["coopserv_jobs"]
    queue.ping()
    lag = queue.heartbeat_age()
    detail = {"backend": queue.backend, "pending": queue.pending(),
              "lag_seconds": None if lag is None else round(lag, 1)}
    limit = current_app.config.get("READY_MAX_QUEUE_LAG")
    if limit and (lag is None or lag > float(limit)):
        raise RuntimeError(f"no worker heartbeat for {detail['lag_seconds']} s (limit {limit} s)")
    return detail


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready to serve: the database answers, Redis answers (when set), the job queue is reachable.

    ``lag_seconds`` is how long ago a worker last ran its heartbeat job (None: never). With
    READY_MAX_QUEUE_LAG set, a queue without a worker for longer makes the instance not ready.
    """
    checks = [_check("database", _database)]
    if current_app.config.get("REDIS_URL"):
        checks.append(_check("redis", _redis))
    checks.append(_check("queue", _queue))
    ready = all(check["ok"] for check in checks)
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
