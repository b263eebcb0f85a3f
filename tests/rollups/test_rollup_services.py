"""Rollup services: percentiles in SQL, the rebuild command, cached computed indicators, pages by key."""
import math

import pytest
from flask.cli import ScriptInfo
from sqlalchemy import Float, delete, literal, select, union_all

from coopserv.extensions import db
from coopserv.rollups.models import RequestFact, RequestRollup
from coopserv.sqlcompat import grouped_percentile
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from tests.helpers import place_order, text_of


def _python_percentile(numbers, fraction):
    """Linear interpolation between the closest ranks, as PostgreSQL's percentile_cont does."""
    ordered = sorted(numbers)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_percentiles_are_computed_by_the_database_like_percentile_cont(app, fraction):
    numbers = [7.5, 1.0, 3.0, 3.0, 12.25, 40.0, 2.0]
    rows = [(1, number) for number in numbers] + [(2, 5.0), (2, 9.0)]
    table = union_all(*(select(literal(group).label("g"), literal(number, Float).label("v"))
                        for group, number in rows)).subquery()
    found = dict(db.session.execute(grouped_percentile(table, table.c.v, [table.c.g], fraction)).all())
    assert found[1] == pytest.approx(_python_percentile(numbers, fraction))
    assert found[2] == pytest.approx(_python_percentile([5.0, 9.0], fraction))


def _cells():
    return {(c.rollup_key, c.organization_id, c.status): c.count for c in db.session.scalars(
        select(RequestRollup).execution_options(**{ALL_TERRITORIES: True}))}


def test_rebuild_command_restores_rollups_and_refuses_unknown_keys(app, figeac, catalogue):
    from coopserv.cli import main

    for _ in range(3):
        place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    kept = _cells()
    assert kept[("requests", 0, "submitted")] == 3 and kept[("concierge.orders", figeac.aero.id, "")] == 3
    # Rows written behind the ORM's back (raw SQL, a bulk import) leave the rollups behind…
    db.session.execute(delete(RequestFact).execution_options(**{ALL_TERRITORIES: True}))
    db.session.execute(delete(RequestRollup).execution_options(**{ALL_TERRITORIES: True}))
    db.session.commit()
    runner = app.test_cli_runner()
    bad = runner.invoke(main, ["indicators", "rebuild", "--key", "no.such"], obj=ScriptInfo(create_app=lambda: app))
    assert bad.exit_code == 2 and "Unknown rollup" in bad.output and _cells() == {}
    # …until the rebuild, from the requests themselves.
    result = runner.invoke(main, ["indicators", "rebuild", "--territory", "figeac"],
                           obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert _cells() == kept


def test_upgrade_rebuilds_only_rollups_whose_definition_is_new(app, figeac):
    from coopserv.rollups.services import outdated_keys, rebuild

    with territory_scope(figeac.territory):
        assert "requests" in outdated_keys()  # never built in this database
        rebuild()
        db.session.commit()
        assert outdated_keys() == []


def test_computed_indicators_are_cached_a_minute_then_computed_again(app, figeac, scoped):
    """Indicators without a rollup (needs, governance) are computed once, then read for INDICATOR_CACHE_SECONDS."""
    from coopserv.indicators import services
    from coopserv.needs import services as needs

    indicator = app.extensions["coopserv"].indicators["needs.expressed"]
    month = services.current_month()

    def value():
        with scoped(figeac.territory):
            return services.series(indicator, None, month, month)[0][1]

    assert value() == 0
    with scoped(figeac.territory):
        needs.ensure_categories()
        needs.submit_need({"title": "Navette", "description": "Depuis la gare.", "employees_affected": 1,
                           "category_id": needs.category_by_key("mobility").id}, figeac.employee, figeac.aero, False)
    assert value() == 0  # still the value cached a moment ago
    app.config["INDICATOR_CACHE_SECONDS"] = 0
    assert value() == 1


def test_queue_and_my_requests_page_by_key(make_client, figeac, catalogue):
    for number in range(30):
        place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue, notes=f"n{number}")
    operator = make_client()
    operator.login(figeac.operator)
    first = text_of(operator.get("/t/figeac/operator/concierge"))
    assert "30 requests" in first or "30 demandes" in first
    older = first[first.index("before="):].split('"', 1)[0].removeprefix("before=")
    second = operator.get(f"/t/figeac/operator/concierge?before={older}")
    assert second.status_code == 200
    ids = [int(part.split("<", 1)[0]) for part in text_of(second).split(">#")[1:]]
    assert len(ids) == 5 and max(ids) < int(older) and "after=" in text_of(second)
    employee = make_client()
    employee.login(figeac.employee)
    mine = text_of(employee.get("/t/figeac/requests"))
    assert "before=" in mine and "after=" not in mine
    assert employee.get("/t/figeac/requests?before=notanumber").status_code == 200


def test_an_indicator_declared_in_one_line_is_kept_without_sql(app, figeac, enable_module):
    """The coworking example declares its bookings with RequestMeasure only: rollup, live value and dashboard."""
    from datetime import datetime

    from coopserv.indicators import services
    from coopserv.service_requests.models import ServiceRequest
    from coopserv.timeutil import utcnow

    indicator = app.extensions["coopserv"].indicators["coworking.bookings"]  # examples/ is installed with the tests
    assert indicator.compute is None and indicator.rollup is not None
    module = enable_module(figeac.territory, "coworking")
    with territory_scope(figeac.territory):
        for _ in range(2):
            db.session.add(ServiceRequest(module_id=module.id, requester_id=figeac.employee.id,
                                          organization_id=figeac.aero.id, status="submitted", payload={}))
        db.session.commit()
        month = services.month_start(utcnow().date())
        assert services.series(indicator, module, month, month) == [(month, 2)]
        start = datetime(month.year, month.month, 1)
        assert services.measure(indicator, module, start, utcnow() + services.timedelta(seconds=1)) == 2


def test_a_new_request_drops_its_service_cached_indicator_values_at_commit(app, figeac, autun, catalogue, scoped):
    """A dashboard shows a request as soon as it is made: its service's cached values go at commit, no others."""
    from coopserv.indicators.models import IndicatorCache
    from coopserv.indicators.services import current_month

    month = current_month()
    for territory in (figeac.territory, autun.territory):
        with scoped(territory):
            for key in ("concierge.cached_figure", "concierge_like.other", "needs.expressed"):
                db.session.add(IndicatorCache(indicator_key=key, month=month, value=0))
            db.session.commit()
    place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)

    def kept(territory):
        with scoped(territory):
            return sorted(db.session.scalars(select(IndicatorCache.indicator_key)))

    assert kept(figeac.territory) == ["concierge_like.other", "needs.expressed"]
    assert kept(autun.territory) == ["concierge.cached_figure", "concierge_like.other", "needs.expressed"]


def test_plugins_own_rollups_are_rebuilt_by_the_command_and_by_upgrade_when_their_version_changes(
        app, figeac, monkeypatch):
    """A plugin declares ``ServiceType.rollups``: the core rebuilds them beside the request rollups."""
    from coopserv.cli import main
    from coopserv.plugin_api import Rollup
    from coopserv.rollups.services import outdated_keys, rebuild, rollup_keys

    assert "smart_parking.occupancy" in rollup_keys()  # the built-in plugin's occupancy rollup
    calls = []
    host = app.extensions["coopserv"]
    declared = {"test.visits": Rollup("test.visits", calls.append, version="1")}
    monkeypatch.setattr(host, "plugin_rollups", lambda: declared)
    with territory_scope(figeac.territory):
        assert "test.visits" in outdated_keys()  # never built
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["indicators", "rebuild", "--key", "test.visits", "--territory", "figeac"],
                           obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert calls == [figeac.territory.id] and "test.visits" in result.output
    with territory_scope(figeac.territory):
        assert "test.visits" in outdated_keys()  # one territory rebuilt: the others still wait
        rebuild({"test.visits"})
        db.session.commit()
        assert calls[-1] is None and "test.visits" not in outdated_keys()
        declared["test.visits"] = Rollup("test.visits", calls.append, version="2")
        assert "test.visits" in outdated_keys()  # what it stores changed: `coopserv upgrade` rebuilds it
