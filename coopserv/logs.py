"""Logging: a request id on every line (X-Request-ID in and out), and JSON lines when LOG_JSON is on.

Several processes on several machines write logs; JSON lines with the request
id let an operator follow one request through the load balancer, the web
process and the jobs it sent.
"""
import json
import logging
import re
import time
import uuid

from flask import g, has_request_context, request

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
_JSON_FLAG = "_coopserv_json"


class RequestIdFilter(logging.Filter):
    """Give every record ``request_id`` (and ``territory`` when a request has one)."""

    def filter(self, record):
        record.request_id = "-"
        record.territory = "-"
        if has_request_context():
            record.request_id = getattr(g, "request_id", "-")
            cache = getattr(request, "_coopserv_cache", None) or {}
            territory = cache.get("territory")
            record.territory = territory.slug if territory is not None else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, territory, exception."""

    def format(self, record):
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", "-"), "territory": getattr(record, "territory", "-")}
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def init_logging(app):
    """Add request ids to every log line; switch the root logger to JSON lines when LOG_JSON is set."""
    root = logging.getLogger()
    if app.config.get("LOG_JSON") and not any(getattr(h, _JSON_FLAG, False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        setattr(handler, _JSON_FLAG, True)
        for existing in list(root.handlers):
            root.removeHandler(existing)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    log = logging.getLogger("coopserv.requests")

    @app.before_request
    def _request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.monotonic()

    @app.after_request
    def _echo_request_id(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("LOG_JSON"):
            duration = round(1000 * (time.monotonic() - g.get("request_started", time.monotonic())), 1)
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "duration_ms": duration})
        return response
