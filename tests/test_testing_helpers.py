"""What coopserv.testing gives plugin tests: peopled territories, a frozen clock, run_tick, API headers."""
from datetime import datetime, timezone

import pytest

from coopserv.plugin_api import utcnow
from coopserv.testing import api_headers, run_tick
from tests.plugins_for_tests import tick_recorder


def test_make_world_peoples_two_territories_in_every_role(make_world, make_client):
    world = make_world("concierge")
    assert (world.home.territory.slug, world.away.territory.slug) == ("figeac", "autun-morvan")
    for town in (world.home, world.away):
        assert town.module.service_key == "concierge" and len(town.organizations) == 2
        for person in ("employee", "colleague", "referent", "governance", "admin", "operator"):
            client = make_client()
            client.login(getattr(town, person))
            assert client.get(f"/t/{town.territory.slug}/").status_code == 200
    operator = make_client()
    operator.login(world.home.operator)
    assert operator.get("/t/figeac/operator/concierge").status_code == 200
    assert operator.get("/t/autun-morvan/operator/concierge").status_code == 403


def test_an_operator_of_several_modules_works_each_queue(make_peopled_territory, make_client):
    town = make_peopled_territory("figeac", "Figeac", services=("concierge", "coworking"))
    operator = make_client()
    operator.login(town.operator)
    for key in ("concierge", "coworking"):
        assert operator.get(f"/t/figeac/operator/{key}").status_code == 200


def test_frozen_clock_stops_and_moves_utcnow(frozen_clock):
    assert utcnow() == datetime(2030, 1, 7, 9, 0)
    assert frozen_clock.advance(minutes=90) == datetime(2030, 1, 7, 10, 30) == utcnow()
    frozen_clock.set(datetime(2031, 5, 1))
    assert utcnow() == datetime(2031, 5, 1)


def test_the_clock_runs_again_after_a_frozen_test():
    assert abs((utcnow() - datetime.now(timezone.utc).replace(tzinfo=None)).total_seconds()) < 60


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": ["tests.plugins_for_tests.tick_recorder"]}])
def test_run_tick_calls_every_plugin_for_one_territory_in_its_scope(app, make_territory, frozen_clock):
    tick_recorder.calls.clear()
    territory = make_territory("figeac", "Figeac")
    run_tick(territory)
    run_tick(territory, now=datetime(2030, 2, 1))
    assert tick_recorder.calls == [("figeac", "figeac", datetime(2030, 1, 7, 9, 0)),
                                   ("figeac", "figeac", datetime(2030, 2, 1))]


def test_api_headers_authenticate_as_the_user_in_that_territory_only(client, make_world):
    world = make_world("concierge")
    headers = api_headers(world.home.employee, world.home.territory)
    assert client.get("/api/v1/territories/figeac/requests/", headers=headers).status_code == 200
    assert client.get("/api/v1/territories/autun-morvan/requests/", headers=headers).status_code in (401, 403)
