"""When a service stops (a committee decision, an admin's stage change or disabling), its open requests close,
their requesters are told why, and the plugin owning it releases what they held (hook module_stopped)."""
import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.modules.services import disable_module, stop_module, update_settings
from coopserv.notifications.models import Notification
from coopserv.service_requests.models import ServiceRequest
from coopserv.service_requests.services import apply_transition, submit_request
from coopserv.tenancy import ALL_TERRITORIES
from tests.plugins_for_tests import stop_recorder

RECORDER = {"EXTRA_PLUGINS": ["tests.plugins_for_tests.stop_recorder"]}


@pytest.fixture
def recorder(figeac, enable_module, scoped):
    """Figeac runs the recorder service; Camille has one open, one working and one finished request."""
    stop_recorder.calls.clear()
    stop_recorder.fail["now"] = False
    module = enable_module(figeac.territory, "stop_recorder", stage="perennial")
    with scoped(figeac.territory):
        requests = [submit_request(module, figeac.employee, figeac.aero, {"note": str(n)}) for n in range(3)]
        apply_transition(requests[1], "work", figeac.operator, may_operate=True)
        apply_transition(requests[2], "work", figeac.operator, may_operate=True)
        apply_transition(requests[2], "finish", figeac.operator, may_operate=True)
    yield module, [r.id for r in requests]
    stop_recorder.fail["now"] = False


def _statuses(ids):
    return db.session.execute(select(ServiceRequest.id, ServiceRequest.status).where(ServiceRequest.id.in_(ids))
                              .order_by(ServiceRequest.id).execution_options(**{ALL_TERRITORIES: True})).all()


def _notes(user_id, message_start):
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                         Notification.message.startswith(message_start))
                              .execution_options(**{ALL_TERRITORIES: True})).all()


@pytest.mark.parametrize("app_config", [RECORDER])
def test_hook_module_stopped(recorder, figeac, scoped):
    """The owner plugin is called once, with the closed requests (their previous status kept) and the reason."""
    module, ids = recorder
    with scoped(figeac.territory):
        stop_module(module, "The territory stopped this service.", figeac.admin)
    assert stop_recorder.calls == [("stop_recorder", ids[:2], ["open", "working"], "The territory stopped this service.")]
    assert _statuses(ids) == [(ids[0], "service_stopped"), (ids[1], "service_stopped"), (ids[2], "done")]
    with scoped(figeac.territory):
        request = db.session.get(ServiceRequest, ids[1])
        change = request.history[-1]
        assert (change.from_status, change.to_status, change.actor_id) == ("working", "service_stopped",
                                                                           figeac.admin.id)
        assert change.comment in ("Le territoire a arrêté ce service.", "The territory stopped this service.")
        # Stopping again changes nothing and tells nobody twice.
        stop_module(module, "The territory stopped this service.", figeac.admin)
    assert len(stop_recorder.calls) == 1
    assert len(_notes(figeac.employee.id, "Your request %(ref)s is closed")) == 2


@pytest.mark.parametrize("app_config", [RECORDER])
def test_a_plugin_failing_to_release_is_undone_but_the_service_still_stops(recorder, figeac, scoped):
    module, ids = recorder
    stop_recorder.fail["now"] = True
    with scoped(figeac.territory):
        disable_module(module, actor=figeac.admin)
    assert _statuses(ids)[:2] == [(ids[0], "service_stopped"), (ids[1], "service_stopped")]
    assert _notes(figeac.employee.id, "written by a hook") == []
    assert len(_notes(figeac.employee.id, "Your request %(ref)s is closed")) == 2


@pytest.mark.parametrize("app_config", [RECORDER])
def test_an_admin_stopping_the_service_closes_requests_and_tells_requesters(recorder, make_client, figeac, scoped):
    module, ids = recorder
    admin = make_client()
    admin.login(figeac.admin)
    assert admin.post_form("/t/figeac/admin/modules/stop_recorder/settings",
                           {"stage": "stopped", "access": "open"}).status_code == 302
    assert [status for _id, status in _statuses(ids)] == ["service_stopped", "service_stopped", "done"]
    employee = make_client()
    employee.login(figeac.employee)
    page = employee.get(f"/t/figeac/requests/{ids[0]}").get_data(as_text=True)
    assert "Fermée : le service s’est arrêté" in page and "Le territoire a arrêté ce service." in page
    notes = employee.get("/t/figeac/notifications").get_data(as_text=True)
    assert "le service « Stop recorder » s’est arrêté" in notes
    # Its places count no more: final states include the core's.
    with scoped(figeac.territory):
        assert "service_stopped" in module_final_states(module)


def module_final_states(module):
    from coopserv.plugin_host import service_type

    return service_type(module.service_key).final_states


@pytest.mark.parametrize("app_config", [RECORDER])
def test_moving_between_running_stages_closes_nothing(recorder, figeac, scoped):
    module, ids = recorder
    with scoped(figeac.territory):
        update_settings(module, {"stage": "pilot", "access": "open", "pilot_organization_ids": [figeac.aero.id]})
        update_settings(module, {"stage": "perennial", "access": "members_only"})
    assert stop_recorder.calls == []
    assert [status for _id, status in _statuses(ids)] == ["open", "working", "done"]
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.message.startswith(
        "Your request %(ref)s is closed")).execution_options(**{ALL_TERRITORIES: True})) == 0


def test_the_concierge_round_drops_the_orders_of_a_stopped_service(figeac, catalogue, order_form, make_client, scoped):
    """The concierge holds no places: its stop takes the closed orders off the providers' round."""
    from datetime import timedelta

    from coopserv_plugins.concierge import services as concierge

    employee = make_client()
    employee.login(figeac.employee)
    for _ in range(2):
        assert employee.post_form("/t/figeac/services/concierge/requests", order_form).status_code == 302
    with scoped(figeac.territory):
        first = concierge.today()
        orders_in_round = lambda: sum(row[-1] for row in concierge.round_lines(first, first + timedelta(days=60)))
        assert orders_in_round() == 2
        stop_module(figeac.module, "The steering committee decided to stop this service.", figeac.admin)
        assert orders_in_round() == 0
    closed = _notes(figeac.employee.id, "Your request %(ref)s is closed")
    assert len(closed) == 2 and closed[0].params["reason"] == "The steering committee decided to stop this service."
