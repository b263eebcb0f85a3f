"""The job runner: after-commit sending, one run per period whatever the workers, retries with backoff."""
import logging
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.jobs import enqueue, enqueue_after_commit
from coopserv.jobs.models import JobRun
from coopserv.jobs.periodic import claim
from coopserv.jobs.queue import JobQueue
from coopserv.organizations.models import Organization
from tests.ops import jobs_for_tests


@pytest.fixture(autouse=True)
def _clear():
    jobs_for_tests.done.clear()


def test_a_job_sent_after_commit_runs_only_when_the_transaction_commits(app, make_territory, scoped):
    territory = make_territory()
    with scoped(territory):
        db.session.add(Organization(name="Kept"))
        enqueue_after_commit(jobs_for_tests.record, territory_id=territory.id, label="kept")
        assert jobs_for_tests.done == []  # nothing before the commit
        db.session.commit()
        assert jobs_for_tests.done == [(territory.id, "kept")]
        db.session.add(Organization(name="Dropped"))
        enqueue_after_commit(jobs_for_tests.record, territory_id=territory.id, label="dropped")
        db.session.rollback()
        db.session.commit()
    assert jobs_for_tests.done == [(territory.id, "kept")]


def test_enqueue_runs_at_once_in_immediate_mode(app, make_territory):
    territory = make_territory()
    enqueue(jobs_for_tests.record, territory_id=territory.id, label="now")
    assert jobs_for_tests.done == [(territory.id, "now")]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": ["tests.plugins_for_tests.tick_recorder"]}])
def test_the_periodic_tick_runs_once_per_period_however_many_workers_check(app, make_territory):
    from tests.plugins_for_tests import tick_recorder

    tick_recorder.calls.clear()
    first, second = make_territory(slug="first"), make_territory(slug="second")
    queue = app.extensions["coopserv_jobs"]
    now = datetime(2026, 3, 29, 0, 58, 10)
    # Two workers' schedulers enqueue the same check within the period: one run.
    assert queue.run_periodic_now("coopserv.jobs.builtin.tick", now=now) is True
    assert queue.run_periodic_now("coopserv.jobs.builtin.tick", now=now + timedelta(seconds=40)) is False
    assert sorted(slug for slug, scope, _ in tick_recorder.calls) == ["first", "second"]
    assert all(slug == scope for slug, scope, _ in tick_recorder.calls)
    # The next period (TICK_MINUTES = 5) runs again.
    assert queue.run_periodic_now("coopserv.jobs.builtin.tick", now=now + timedelta(minutes=5)) is True
    assert len(tick_recorder.calls) == 4
    runs = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.period, r.status) for r in runs] == [("2026-03-29T00:55", "done"), ("2026-03-29T01:00", "done")]
    assert first.id != second.id


def test_concurrent_claims_of_one_period_have_one_winner(app):
    period = datetime(2026, 10, 25, 2, 0)
    results, barrier = [], threading.Barrier(4)

    def contender():
        with app.app_context():
            barrier.wait()
            results.append(claim("test.concurrent", period))
            db.session.remove()

    threads = [threading.Thread(target=contender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False, False, False, True]


def test_a_failing_job_is_logged_with_its_territory_and_retried_with_backoff(app, make_territory, tmp_path, caplog):
    territory = make_territory(slug="lot-cele")
    app.config["JOBS_IMMEDIATE"] = False
    app.config["JOBS_SQLITE_PATH"] = str(tmp_path / "queue.sqlite")
    queue = JobQueue(app)  # a real (SQLite) queue, run by hand like one consumer would
    huey = queue.huey
    queue.send("tests.ops.jobs_for_tests.always_fails", kwargs={"territory_id": territory.id})
    assert huey.pending_count() == 1
    with caplog.at_level(logging.ERROR, logger="coopserv.jobs"):
        started = datetime.utcnow()
        huey.execute(huey.dequeue())
    assert "tests.ops.jobs_for_tests.always_fails failed (territory lot-cele" in caplog.text
    [retry] = huey.scheduled()
    assert retry.retries == 1
    assert timedelta(seconds=9) <= retry.eta - started <= timedelta(seconds=12)
    assert retry.retry_delay == 30  # the next wait is three times longer
    due = retry.eta + timedelta(seconds=1)
    started = datetime.utcnow()
    huey.execute(huey.read_schedule(due)[0], timestamp=due)
    [last] = huey.scheduled()
    assert last.retries == 0 and timedelta(seconds=29) <= last.eta - started <= timedelta(seconds=32)
    due = last.eta + timedelta(seconds=1)
    huey.execute(huey.read_schedule(due)[0], timestamp=due)
    assert huey.scheduled() == [] and huey.pending_count() == 0  # gave up after two retries


def test_worker_command_refuses_to_run_when_jobs_run_inside_the_web_process(app):
    from coopserv.cli import main

    result = app.test_cli_runner().invoke(main, ["worker"])
    assert result.exit_code != 0 and "JOBS_IMMEDIATE" in result.output


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": ["tests.plugins_for_tests.tick_recorder",
                                                           "tests.ops.failing_tick"]}])
def test_a_failing_plugin_tick_is_logged_with_its_territory_and_retried(app, make_territory, caplog):
    from coopserv.cli import main
    from coopserv.jobs.builtin import TickFailed, tick_territory
    from tests.plugins_for_tests import tick_recorder

    tick_recorder.calls.clear()
    territory = make_territory(slug="lot-cele")
    with caplog.at_level(logging.ERROR, logger="coopserv.jobs"):
        with pytest.raises(TickFailed):  # raised to huey, which retries the territory's tick with backoff
            tick_territory(territory_id=territory.id, now="2026-03-29T01:05:00")
    assert "Plugin failing_tick failed its tick in territory lot-cele" in caplog.text
    assert [slug for slug, _scope, _now in tick_recorder.calls] == ["lot-cele"]  # the others still ran
    result = app.test_cli_runner().invoke(main, ["tick"])
    assert result.exit_code == 1 and "lot-cele: failing_tick failed" in result.output


def test_indicator_rollups_are_rebuilt_by_a_job_after_the_commit(app, make_territory, scoped, monkeypatch):
    """A rebuild asked from a request runs in the job runner, once the asking transaction committed."""
    import sys
    import types

    from coopserv.jobs.builtin import rebuild_indicator_rollups

    calls = []
    rollups = types.ModuleType("coopserv.rollups.services")
    rollups.rebuild = lambda keys=None, territory_id=None: calls.append((keys, territory_id)) or ["requests"]
    monkeypatch.setitem(sys.modules, "coopserv.rollups.services", rollups)
    territory = make_territory(slug="lot-cele")
    with scoped(territory):
        enqueue_after_commit(rebuild_indicator_rollups, territory_id=territory.id, keys=["requests"])
        assert calls == []  # not inside the request's transaction
        db.session.commit()
    assert calls == [({"requests"}, territory.id)]
    assert rebuild_indicator_rollups(territory_id=10_000) is None and len(calls) == 1  # unknown territory
