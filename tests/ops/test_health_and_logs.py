"""Probes for a load balancer, and log lines that carry the request id (JSON lines when asked)."""
import json
import logging

import pytest

from coopserv.logs import JsonFormatter, RequestIdFilter


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = {check["name"]: check for check in ready.get_json()["checks"]}
    assert checks["database"]["ok"] and checks["queue"]["ok"] and checks["queue"]["backend"] == "immediate"
    assert "redis" not in checks


def test_readyz_answers_503_when_redis_is_down(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = {check["name"]: check for check in response.get_json()["checks"]}
    assert checks["redis"]["ok"] is False and "Connection" in checks["redis"]["error"]
    assert checks["database"]["ok"]
    assert client.get("/healthz").status_code == 200  # the process itself is fine


def test_queue_lag_limit_makes_readyz_fail_without_a_worker(app, client):
    app.config["READY_MAX_QUEUE_LAG"] = 120
    response = client.get("/readyz")
    assert response.status_code == 503
    [queue] = [c for c in response.get_json()["checks"] if c["name"] == "queue"]
    assert "no worker heartbeat" in queue["error"]


def test_a_request_id_is_echoed_and_logged_as_json(app, client, caplog):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21d4"})
    assert given.headers["X-Request-ID"] == "lb-7f3a9c21d4"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert made.headers["X-Request-ID"] != "bad id <script>" and len(made.headers["X-Request-ID"]) == 32

    formatter, id_filter = JsonFormatter(), RequestIdFilter()
    with app.test_request_context("/t/figeac/"):
        from flask import g

        g.request_id = "lb-7f3a9c21d4"
        record = logging.LogRecord("coopserv.test", logging.ERROR, __file__, 1, "Mail to %s failed", ("a@b.c",), None)
        id_filter.filter(record)
        line = json.loads(formatter.format(record))
    assert line["message"] == "Mail to a@b.c failed" and line["request_id"] == "lb-7f3a9c21d4"
    assert line["level"] == "ERROR" and line["time"].endswith("Z")


@pytest.mark.parametrize("app_config", [{"LOG_JSON": True}])
def test_with_log_json_each_request_logs_one_json_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="coopserv.requests"):
        client.get("/healthz", headers={"X-Request-ID": "req-12345678"})
    [record] = [r for r in caplog.records if r.name == "coopserv.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == 200 and line["request_id"] == "req-12345678"
