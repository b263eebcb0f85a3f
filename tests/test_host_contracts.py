"""The host keeps its contracts with plugins: first answers win, request hooks go to the owner,
observers cannot break a request, the core's own mistakes are not blamed on plugins, keys are unique,
and a ServiceType callback that raises costs only its part of the page."""
import logging

import pytest
from sqlalchemy import select

from coopserv import create_app
from coopserv.extensions import db
from coopserv.notifications.models import Notification
from coopserv.plugin_host import PluginConfigurationError
from coopserv.service_requests.services import apply_transition, submit_request
from coopserv.testing import base_test_config
from coopserv.timeutil import local_today
from tests.helpers import text_of
from tests.plugins_for_tests import crew_counter, fragile_service, watch_clumsy, watch_recorder

P = "tests.plugins_for_tests."


def _errors(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "crew_counter", P + "crew_answerer",
                                                           P + "crew_raiser"]}])
def test_firstresult_hook_stops_at_the_first_answer(app, caplog):
    crew_counter.asked.clear()
    answer = app.extensions["coopserv"].first_result("carpool_crew_for", user=None, day=local_today())
    assert answer == {"crew_id": 1, "label": "first", "size": 3}
    assert crew_counter.asked == []  # registered before the answerer: never asked
    assert any("crew_raiser" in message and "carpool_crew_for" in message for message in _errors(caplog))


def test_a_mistake_in_the_core_call_is_raised_not_blamed_on_a_plugin(app, caplog):
    host = app.extensions["coopserv"]
    with pytest.raises(TypeError, match="portal_home_panels"):
        host.call_each("portal_home_panels", territory=None)  # `user` forgotten
    with pytest.raises(TypeError, match="carpool_crew_for"):
        host.first_result("carpool_crew_for", user=None, day=local_today(), extra=1)
    assert _errors(caplog) == []


def test_two_plugins_declaring_one_indicator_key_stop_start_up(tmp_path):
    config = base_test_config(str(tmp_path), "sqlite://")
    config["EXTRA_PLUGINS"] = [P + "twin_indicator_a", P + "twin_indicator_b"]
    with pytest.raises(PluginConfigurationError) as error:
        create_app(config)
    assert "twin.count" in str(error.value)
    assert "twin_indicator_a" in str(error.value) and "twin_indicator_b" in str(error.value)


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "fragile_service", P + "watch_recorder",
                                                           P + "watch_clumsy"]}])
def test_request_hooks_go_to_the_owner_and_observers_see_every_request(app, figeac, catalogue, scoped, caplog):
    from tests.helpers import place_order

    fragile_service.submitted.clear()
    watch_recorder.seen.clear()
    order = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    assert fragile_service.submitted == []  # the concierge's request is not the fragile plugin's business
    with scoped(figeac.territory):
        from coopserv.modules.services import enable_module

        fragile = enable_module("fragile", stage="perennial")
        own = submit_request(fragile, figeac.employee, figeac.aero, {})
        assert fragile_service.submitted == [own.id]
        apply_transition(order, "accept", figeac.operator, may_operate=True)
    assert watch_recorder.seen == [(order.id, "concierge", None, "submitted"), (own.id, "fragile", None, "open"),
                                   (order.id, "concierge", "submitted", "accepted")]
    # The clumsy observer raised each time: logged, its notifications rolled back, the requests stored.
    assert sum("watch_clumsy" in message for message in _errors(caplog)) == 3
    with scoped(figeac.territory):
        messages = list(db.session.scalars(select(Notification.message)))
    assert watch_clumsy.CLUMSY_MESSAGE not in messages and len(messages) == 3
    assert order.status == "accepted"


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "fragile_service"]}])
def test_service_type_callbacks_that_raise_cost_only_their_part_of_the_page(app, figeac, make_client, scoped,
                                                                            make_user, caplog):
    from coopserv.modules.services import enable_module

    with scoped(figeac.territory):
        module = enable_module("fragile", stage="perennial")
        request = submit_request(module, figeac.employee, figeac.aero, {})
    operator = make_client()
    operator.login(make_user(figeac.territory, "service_operator", module=module))
    employee = make_client()
    employee.login(figeac.employee)

    detail = employee.get(f"/t/figeac/requests/{request.id}")
    assert detail.status_code == 200
    page = text_of(detail)
    assert request.reference in page and "Fragile detail" not in page
    assert "ne peuvent pas être affichés" in page or "cannot be shown" in page

    mine = employee.get("/t/figeac/requests")
    assert mine.status_code == 200 and request.reference in text_of(mine)

    queue = operator.get("/t/figeac/operator/fragile")
    assert queue.status_code == 200 and request.reference in text_of(queue)

    form = employee.get("/t/figeac/services/fragile")
    assert form.status_code == 200 and "Fragile fields" not in text_of(form)

    failures = [m for m in _errors(caplog) if "fragile_service" in m]
    assert any("request_detail_context" in m for m in failures)
    assert any("summarize" in m for m in failures)
    assert any("request_form_context" in m for m in failures)
