"""The plugin developer kit: the guide documents every hook, the scaffold writes a working plugin."""
import inspect
import json
import os
import subprocess
import sys
import tomllib

import pytest

from coopserv import hookspecs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _hookspecs():
    return [(name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "coopserv_spec")]


@pytest.mark.parametrize("name, spec", _hookspecs())
def test_guide_documents_every_hook_with_its_signature(name, spec):
    with open(os.path.join(ROOT, "docs", "plugin-guide.md"), encoding="utf-8") as handle:
        guide = handle.read()
    assert f"#### `{name}{inspect.signature(spec)}`" in guide
    assert spec.__doc__ and "Return" in spec.__doc__


def test_scaffold_writes_a_package_the_app_loads(tmp_path):
    from coopserv.scaffold import create_plugin

    root = create_plugin("greenhouse", str(tmp_path), "Shared greenhouse")
    with open(os.path.join(root, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)
    assert project["project"]["entry-points"]["coopserv.plugins"] == {"greenhouse": "coopserv_greenhouse"}
    package = os.path.join(root, "coopserv_greenhouse")
    for expected in ("__init__.py", "models.py", "schemas.py", "services.py", "views.py", "api.py",
                     "indicators.py", "templates/greenhouse/_request_fields.html",
                     "translations/fr/LC_MESSAGES/messages.mo", "migrations/versions/greenhouse_0001_tables.py"):
        assert os.path.exists(os.path.join(package, expected)), expected
    assert os.path.exists(os.path.join(root, "tests", "test_greenhouse_plugin.py"))

    # Load it in a separate process, as an installed plugin would be, so its models stay out of this one.
    probe = (
        "import json, os\n"
        "from coopserv import create_app\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x',"
        " 'EXTRA_PLUGINS': ['coopserv_greenhouse']})\n"
        "host = app.extensions['coopserv']\n"
        "print(json.dumps({'error': host.infos['coopserv_greenhouse'].error,"
        " 'services': sorted(host.service_types), 'indicators': sorted(host.indicators),"
        " 'migrations': host.migration_directories,"
        " 'paths': sorted(app.test_client().get('/api/v1/openapi.json').get_json()['paths'])}))\n"
    )
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["error"] is None
    assert "greenhouse" in loaded["services"] and "greenhouse.bookings" in loaded["indicators"]
    assert any(path.endswith(os.path.join("coopserv_greenhouse", "migrations", "versions"))
               for path in loaded["migrations"])
    assert "/api/v1/territories/{territory_slug}/greenhouse/resources" in loaded["paths"]


def test_scaffold_refuses_bad_names_and_existing_folders(tmp_path):
    from coopserv.scaffold import ScaffoldError, create_plugin

    with pytest.raises(ScaffoldError):
        create_plugin("Green-House", str(tmp_path))
    create_plugin("greenhouse", str(tmp_path), compile_catalogs=False)
    with pytest.raises(ScaffoldError):
        create_plugin("greenhouse", str(tmp_path))


def test_plugin_new_command_reports_errors(tmp_path):
    from click.testing import CliRunner

    from coopserv.cli import main

    result = CliRunner().invoke(main, ["plugin", "new", "9lives", "--path", str(tmp_path)])
    assert result.exit_code != 0 and "NAME must be" in result.output
    assert os.listdir(tmp_path) == []
