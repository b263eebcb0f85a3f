"""The plugin engine: broken plugins are left out, conflicts stop start-up, hooks are documented."""
import inspect
import json
import logging

import pluggy
import pytest

from coopserv import create_app, hookspecs
from coopserv.cli import main
from coopserv.plugin_host import PluginConfigurationError
from coopserv.testing import base_test_config
from tests.helpers import text_of

BROKEN = "tests.plugins_for_tests.broken_import"
RAISING = "tests.plugins_for_tests.raising_panel"
FRIENDLY = "tests.plugins_for_tests.friendly_panel"


def _errors(caplog, phase):
    return [r.getMessage() for r in caplog.get_records(phase) if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [BROKEN]}])
def test_plugin_failing_to_import_is_logged_and_left_out(caplog, app, client, figeac, make_client, tmp_path):
    caplog.clear()
    create_app(dict(base_test_config(str(tmp_path), "sqlite://"), EXTRA_PLUGINS=[BROKEN]))
    assert any("broken_import" in message and "left out" in message for message in _errors(caplog, "call"))
    host = app.extensions["coopserv"]
    assert "deliberately broken at import" in host.infos["broken_import"].error
    assert "concierge" in host.service_types  # the others load
    assert client.get("/").status_code == 200
    employee = make_client()
    employee.login(figeac.employee)
    assert employee.get("/t/figeac/services/concierge").status_code == 200
    listing = app.test_cli_runner().invoke(main, ["plugins", "list"])
    assert listing.exit_code == 0
    assert "FAILED" in listing.output and "deliberately broken at import" in listing.output


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": [RAISING, FRIENDLY]}])
def test_plugin_raising_in_a_hook_is_logged_and_the_page_renders(caplog, client, figeac):
    response = client.get("/t/figeac/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Panneau ami de Figeac" in page
    assert "Conciergerie" in page
    assert any("raising_panel" in m and "portal_home_panels" in m for m in _errors(caplog, "call"))


def test_two_plugins_declaring_one_service_key_stop_start_up(tmp_path):
    config = base_test_config(str(tmp_path), "sqlite://")
    config["EXTRA_PLUGINS"] = ["tests.plugins_for_tests.twin_a", "tests.plugins_for_tests.twin_b"]
    with pytest.raises(PluginConfigurationError) as error:
        create_app(config)
    assert "twin_a" in str(error.value) and "twin_b" in str(error.value) and "'twin'" in str(error.value)


def test_misspelt_hook_implementation_is_rejected_by_check_pending(tmp_path):
    config = base_test_config(str(tmp_path), "sqlite://")
    config["EXTRA_PLUGINS"] = ["tests.plugins_for_tests.misspelt"]
    with pytest.raises(pluggy.PluginValidationError) as error:
        create_app(config)
    assert "register_servce_types" in str(error.value)


def _hookspecs():
    return [(name, function) for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(function, "coopserv_spec")]


def test_every_hookspec_has_a_docstring_saying_what_it_returns():
    specs = _hookspecs()
    assert len(specs) >= 10
    for name, function in specs:
        doc = inspect.getdoc(function) or ""
        assert len(doc) > 40, f"hook {name} needs a docstring (when, what it receives, what it returns)"
        assert "Return" in doc, f"hook {name}'s docstring must say what it returns"
        for argument in inspect.signature(function).parameters:
            assert f"``{argument}``" in doc or argument in doc, f"hook {name} does not document {argument!r}"


def test_core_and_concierge_implement_only_declared_hooks(app):
    declared = {name for name, _ in _hookspecs()}
    for info in app.extensions["coopserv"].infos.values():
        assert set(info.hooks) <= declared, info.name


def test_plugins_list_shows_concierge_with_version_source_and_hooks(app):
    import coopserv_plugins.concierge as concierge

    runner = app.test_cli_runner()
    text = runner.invoke(main, ["plugins", "list"])
    assert text.exit_code == 0
    line = next(line for line in text.output.splitlines() if line.startswith("concierge"))
    assert concierge.__version__ in line and "entry point" in line
    rows = json.loads(runner.invoke(main, ["plugins", "list", "--json"]).output)
    concierge_row = next(row for row in rows if row["name"] == "concierge")
    assert concierge_row["version"] == concierge.__version__
    assert concierge_row["service_types"] == ["concierge"]
    assert {"register_service_types", "request_submitted", "module_stage_changed"} <= set(concierge_row["hooks"])
    assert concierge_row["error"] is None


def test_admin_plugins_page_lists_concierge(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    page = text_of(admin.get("/t/figeac/admin/plugins"))
    assert "concierge" in page and "register_service_types" in page
