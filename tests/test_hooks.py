"""One test per hook (Datasette's test_hook_* habit): each hook is called when its docstring says, and works.

``test_every_hook_has_a_test_of_its_own`` fails when a hookspec has no ``test_hook_<name>``
anywhere in the suite. Raw ``register_*`` hooks are exercised through ``raw_hooks``, a test
plugin; built-in plugins declare the same things once, on their ServiceType.
"""
import inspect
import os
import re

import pytest
from sqlalchemy import select

from coopserv import hookspecs
from coopserv.cli import main
from coopserv.extensions import db
from coopserv.service_requests.models import ServiceRequest
from coopserv.service_requests.services import apply_transition, submit_request
from coopserv.tenancy import territory_scope
from coopserv.timeutil import local_today
from tests.helpers import place_order, text_of
from tests.plugins_for_tests import fragile_service, raw_hooks, tick_recorder, watch_recorder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
P = "tests.plugins_for_tests."
RAW = pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "raw_hooks"]}])
BUILT_IN = ("concierge", "spouse_welcome", "childminder_house", "iot_training", "mobility", "smart_parking",
            "coworking")
RAW_REGISTER_HOOKS = {"register_blueprints", "register_api_blueprints", "register_migration_directories",
                      "register_translation_directories", "register_indicators", "register_personal_data",
                      "register_commands"}


def _hook_names():
    return sorted(name for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
                  if hasattr(function, "coopserv_spec"))


def test_every_hook_has_a_test_of_its_own():
    tested = set()
    for folder in ("tests", "plugins", "examples"):
        for directory, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.startswith("test_") and name.endswith(".py"):
                    with open(os.path.join(directory, name), encoding="utf-8") as handle:
                        tested |= set(re.findall(r"^def test_hook_(\w+)\(", handle.read(), re.M))
    missing = [name for name in _hook_names() if name not in tested]
    assert missing == [], f"write a test_hook_<name> for: {missing}"


def test_hook_register_service_types(app):
    """Built-in plugins declare everything once, on their ServiceType, and no raw register_* hook."""
    host = app.extensions["coopserv"]
    blueprints = {blueprint.name for blueprint in host.blueprints()}
    for key in BUILT_IN:
        kind = host.service_types[key]
        plugin = host.service_type_plugin[key]
        assert set(host.infos[plugin].hooks) & RAW_REGISTER_HOOKS == set(), plugin
        assert {bp.name for bp in kind.blueprints} <= blueprints and kind.blueprints
        assert kind.indicators and all(host.indicators[i.key] is i for i in kind.indicators)
        declared = [id(spec) for spec in host.personal_data()]
        assert kind.personal_data and all(id(spec) in declared for spec in kind.personal_data)
        assert kind.migrations in host.migration_directories and os.path.isdir(kind.migrations)
        assert kind.translations in host.translation_directories()
        assert kind.translations in app.config["BABEL_TRANSLATION_DIRECTORIES"]


@RAW
def test_hook_register_blueprints(client):
    assert client.get("/raw-hooks/ping").get_data(as_text=True) == "raw pong"


@RAW
def test_hook_register_api_blueprints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/territories/{territory_slug}/raw-hooks/ping" in paths


@RAW
def test_hook_register_migration_directories(app):
    from alembic.script import ScriptDirectory

    folder = os.path.join(os.path.dirname(raw_hooks.__file__), "raw_migrations")
    assert folder in app.extensions["coopserv"].migration_directories
    migrate = app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    assert folder in script.version_locations


@RAW
def test_hook_register_translation_directories(app):
    folder = os.path.join(os.path.dirname(raw_hooks.__file__), "raw_translations")
    assert folder in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")


@RAW
def test_hook_register_indicators(app):
    assert app.extensions["coopserv"].indicators["raw_hooks.zero"].label == "Zero"


@RAW
def test_hook_register_personal_data(app, figeac):
    from coopserv.privacy.services import export_person

    exported = export_person(figeac.employee)
    assert exported["raw_hooks_roles"] == [{"role": "employee"}]


@RAW
def test_hook_register_commands(app):
    result = app.test_cli_runner().invoke(main, ["raw-hooks-hello"])
    assert result.exit_code == 0 and "hello from raw hooks" in result.output


def test_hook_module_stage_changed(app, figeac, catalogue, scoped, monkeypatch):
    """The concierge hears its service stop; by then the core has closed every open order and told its requester."""
    from coopserv_plugins.concierge import services as concierge

    from coopserv.modules.services import update_settings
    from coopserv.notifications.models import Notification

    heard = []
    reject = concierge.reject_orders_not_started
    monkeypatch.setattr(concierge, "reject_orders_not_started", lambda module: heard.append(module.stage) or reject(module))
    waiting = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    started = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    with scoped(figeac.territory):
        for step in ("accept", "start"):
            apply_transition(started, step, figeac.operator, may_operate=True)
        update_settings(figeac.module, {"stage": "stopped", "pilot_organization_ids": []})
        statuses = dict(db.session.execute(select(ServiceRequest.id, ServiceRequest.status)).all())
        told = db.session.scalars(select(Notification).filter_by(user_id=figeac.employee.id)).all()
    assert heard == ["stopped"]
    assert statuses == {waiting.id: "service_stopped", started.id: "service_stopped"}
    assert waiting.history[-1].comment and waiting.history[-1].actor_id is None
    assert len(told) == 2 + 2 + 2  # two receipts, two moves of the started order, two closures


def test_hook_request_submitted(app, figeac, catalogue):
    from coopserv_plugins.concierge.models import Order

    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    with territory_scope(figeac.territory):
        order = db.session.scalar(select(Order).filter_by(request_id=request.id))
    assert order is not None and order.notes == "Amidon léger"


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "fragile_service"]}])
def test_hook_request_status_changed(app, figeac, catalogue, scoped):
    """Called for the owner's requests only, inside the transition."""
    from coopserv.modules.services import enable_module

    fragile_service.moved.clear()
    order = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    with scoped(figeac.territory):
        module = enable_module("fragile", stage="perennial")
        own = submit_request(module, figeac.employee, figeac.aero, {})
        apply_transition(order, "accept", figeac.operator, may_operate=True)
        apply_transition(own, "finish", figeac.admin, may_operate=True)
    assert fragile_service.moved == [(own.id, "done")]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "watch_recorder"]}])
def test_hook_any_request_changed(app, figeac, catalogue, scoped):
    watch_recorder.seen.clear()
    order = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    with scoped(figeac.territory):
        apply_transition(order, "cancel", figeac.employee, may_operate=False)
    assert watch_recorder.seen == [(order.id, "concierge", None, "submitted"),
                                   (order.id, "concierge", "submitted", "cancelled")]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "tick_recorder"]}])
def test_hook_tick(app, figeac):
    tick_recorder.calls.clear()
    result = app.test_cli_runner().invoke(main, ["tick"])
    assert result.exit_code == 0
    assert [(slug, scope) for slug, scope, _now in tick_recorder.calls] == [("figeac", "figeac")]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "crew_answerer"]}])
def test_hook_carpool_crew_for(app, figeac):
    host = app.extensions["coopserv"]
    with territory_scope(figeac.territory):
        assert host.first_result("carpool_crew_for", user=figeac.employee, day=local_today())["label"] == "first"
        # Mobility, the built-in answerer, stays silent where its module is not enabled.
        assert host.call_owner("carpool_crew_for", "mobility", user=figeac.employee, day=local_today()) is None


def test_hook_mobility_alternatives(app, figeac, enable_module, scoped):
    from coopserv_plugins.mobility.models import BusinessPark

    enable_module(figeac.territory, "mobility")
    with scoped(figeac.territory):
        db.session.add(BusinessPark(name="ZA de l'Aiguille", latitude=44.6, longitude=2.03))
        db.session.commit()
    with app.test_request_context("/t/figeac/"), territory_scope(figeac.territory):
        links = app.extensions["coopserv"].collect("mobility_alternatives", business_park="ZA de l'Aiguille")
        nothing = app.extensions["coopserv"].collect("mobility_alternatives", business_park="Nowhere")
    assert len(links) >= 2 and all(link["url"].startswith("/t/figeac/services/mobility") for link in links)
    assert nothing == []


@RAW
def test_hook_indicator_targets(app, figeac):
    from coopserv.indicators.views import _targets

    with app.test_request_context("/t/figeac/"), territory_scope(figeac.territory):
        assert _targets()["raw_hooks.zero"] == 7


def test_hook_seed_demo_module(app, figeac, scoped):
    """Called for the module's owner only: the concierge seeds its catalogue, nobody else is asked."""
    from coopserv_plugins.concierge.models import Provider

    host = app.extensions["coopserv"]
    with scoped(figeac.territory):
        host.call_owner("seed_demo_module", "concierge", module=figeac.module, organizations={"aero": figeac.aero},
                        users={"employee": figeac.employee, "operator": figeac.operator})
        providers = db.session.scalars(select(Provider.name)).all()
        requests = db.session.scalars(select(ServiceRequest.status)).all()
    assert len(providers) >= 3 and sorted(requests) == ["in_progress", "submitted"]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [P + "friendly_panel"]}])
def test_hook_portal_home_panels(client, figeac):
    assert "Panneau ami de Figeac" in text_of(client.get("/t/figeac/"))
