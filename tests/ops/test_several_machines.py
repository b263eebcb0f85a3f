"""Several machines: two gunicorn app processes and two job workers sharing the database and Redis.

The test starts everything it needs: its own redis-server on a free port, an
in-process SMTP server, two gunicorn processes and two ``coopserv worker``
processes, all on the suite's database (PostgreSQL in CI, SQLite otherwise).
It shows that a sign-in rate limit hit through one process holds in the other,
that the periodic tick runs once per period although both workers schedule it,
and that an e-mail is sent once. On PostgreSQL the job queue is Redis; on
SQLite it is the embedded queue (one SQLite file the two workers share), and
the rate limits still live in Redis.
"""
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.jobs.models import JobRun

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
PASSWORD = "correct horse battery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Browser:
    """A cookie-keeping HTTP client: one person's browser, talking to either app process."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _csrf(page):
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def _ready(base):
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            return json.loads(response.read()) if response.status == 200 else None
    except (OSError, urllib.error.URLError):
        return None


@pytest.fixture
def redis_server(tmp_path):
    """Debian's redis-server on a free port, stopped by its process id."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is installed by tests/setup.sh and .ci/run"
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    def answers():
        try:
            return redis.Redis.from_url(url, socket_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return False

    try:
        wait_for(answers, 15, "redis-server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def figeac(make_territory, make_user):
    """Made before the processes start, so every tick they run has this territory to work on."""
    territory = make_territory(slug="figeac", name="Figeac")
    return territory, make_user(territory, "employee", email="claire@figeac.example", name="Claire")


@pytest.fixture
def stack(app, coopserv_database, figeac, redis_server, smtp_server, tmp_path):
    """Two app processes and two workers on the test database; yields their URLs and the workers' logs."""
    url, _root = coopserv_database
    on_postgresql = url.startswith("postgresql")
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPSERV_")}
    env.update({
        "PYTHONPATH": ROOT, "COOPSERV_INSTANCE_PATH": str(instance), "COOPSERV_DATABASE_URL": url,
        "COOPSERV_SECRET_KEY": "several-machines-secret", "COOPSERV_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "COOPSERV_MAIL_SERVER": "127.0.0.1", "COOPSERV_MAIL_PORT": str(app.config["MAIL_PORT"]),
        "COOPSERV_PUBLIC_URL": "http://portal.test", "COOPSERV_TICK_MINUTES": "1",
        "COOPSERV_EXTRA_PLUGINS": "tests.ops.tick_counter", "COOPSERV_TEST_TICK_LOG": str(tmp_path / "ticks.log"),
    })
    if on_postgresql:
        env["COOPSERV_REDIS_URL"] = redis_server  # queue and rate limits on Redis
    else:
        env["COOPSERV_RATELIMIT_STORAGE_URI"] = redis_server  # rate limits on Redis, the embedded queue for jobs
        env["COOPSERV_JOBS_SQLITE_PATH"] = str(instance / "jobs.sqlite")
    processes, logs = [], []
    bases = []
    try:
        for _ in range(2):
            port = free_port()
            log = open(tmp_path / f"web-{port}.log", "w+")
            processes.append(subprocess.Popen(
                [os.path.join(BIN, "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                 "coopserv:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        for number in range(2):
            log = open(tmp_path / f"worker-{number}.log", "w+")
            logs.append(log)
            processes.append(subprocess.Popen([sys.executable, "-m", "coopserv", "worker", "--threads", "2"],
                                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        for base in bases:
            wait_for(lambda base=base: _ready(base), 150, f"{base}/readyz")
        yield {"bases": bases, "worker_logs": logs, "ticks": tmp_path / "ticks.log", "postgresql": on_postgresql}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _scheduled_minutes(log):
    """Minutes in which a worker's scheduler put the tick on the queue (from its log lines)."""
    log.seek(0)
    return {line[:16] for line in log.read().splitlines()
            if "Enqueueing periodic task" in line and "builtin.tick:" in line}


def test_two_app_processes_and_two_workers_share_limits_periodic_work_and_mail(stack, figeac, smtp_server):
    first, second = stack["bases"]
    _territory, user = figeac

    # Both processes are ready: database, Redis (when it carries the queue) and queue reachable.
    readiness = _ready(first)
    checks = {check["name"]: check for check in readiness["checks"]}
    assert checks["database"]["ok"] and checks["queue"]["ok"]
    assert checks["queue"]["backend"] == ("redis" if stack["postgresql"] else "sqlite")
    assert ("redis" in checks) == stack["postgresql"]

    # A sign-in rate limit (10 a minute per address and account) hit through one process holds in the other.
    browser = Browser()
    status, page = browser.request(first + "/login")
    token = _csrf(page)
    for _ in range(10):
        status, _ = browser.request(first + "/login", {"csrf_token": token, "email": user.email,
                                                       "password": "wrong guess"})
        assert status == 422
    status, _ = browser.request(second + "/login", {"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert status == 429
    # Another account from the same address is not locked out.
    status, _ = browser.request(second + "/login", {"csrf_token": token, "email": "someone@figeac.example",
                                                    "password": "wrong guess"})
    assert status == 422

    # An e-mail asked through one process is sent once, by one of the two workers.
    smtp_server.clear()
    other = Browser()
    status, page = other.request(second + "/password/forgot")
    status, _ = other.request(second + "/password/forgot", {"csrf_token": _csrf(page), "email": user.email})
    assert status == 200
    wait_for(lambda: smtp_server.messages, 30, "the password reset e-mail")
    time.sleep(3)  # room for a second, wrong delivery
    assert len(smtp_server.messages) == 1
    assert "http://portal.test/password/reset/" in smtp_server.text(smtp_server.messages[0])

    # Both workers schedule the tick every minute (TICK_MINUTES = 1); in a minute when both did, it ran once.
    def minutes_both_scheduled():
        one, other = (_scheduled_minutes(log) for log in stack["worker_logs"])
        return sorted(one & other)

    shared = wait_for(minutes_both_scheduled, 150, "a minute in which both workers scheduled the tick")
    time.sleep(5)  # let both runs of that minute finish (the second must do nothing)
    db.session.expire_all()
    periods = db.session.scalars(select(JobRun.period).filter_by(name="coopserv.jobs.builtin.tick")).all()
    ticked = [line.split()[1][:16] for line in stack["ticks"].read_text().splitlines()]  # minute of each run
    assert ticked and all(line.startswith("figeac ") for line in stack["ticks"].read_text().splitlines())
    # Never two runs in one period, and each run is a claimed period.
    assert len(ticked) == len(set(ticked)), ticked
    assert set(ticked) <= {period[:16] for period in periods}
    from datetime import datetime, timedelta

    minute = datetime.fromisoformat(shared[0])
    # It ran in that minute (or just after, when the queue handed it over across the minute's end).
    assert {minute.isoformat()[:16], (minute + timedelta(minutes=1)).isoformat()[:16]} & set(ticked), ticked
