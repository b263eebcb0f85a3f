"""Plugins talk to the core through coopserv.plugin_api (and their tests through coopserv.testing) only."""
import os
import subprocess
import sys
import tomllib

import coopserv
from coopserv import plugin_api

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACADES = {"plugin_api", "testing"}


def _core_names():
    """Every module and public name of the coopserv package."""
    folder = os.path.dirname(coopserv.__file__)
    names = {"create_app", "migrations_directory", "__version__"}
    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        if entry.endswith(".py") and entry != "__init__.py":
            names.add(entry[:-3])
        elif os.path.isfile(os.path.join(path, "__init__.py")):
            names.add(entry)
    return names


def _ruff():
    return [sys.executable, "-m", "ruff"] if _has_ruff_module() else [os.path.join(os.path.dirname(sys.executable),
                                                                                 "ruff")]


def _has_ruff_module():
    import importlib.util

    return importlib.util.find_spec("ruff") is not None


def _check(source, path):
    return subprocess.run(_ruff() + ["check", "--no-cache", "--output-format", "concise", "--stdin-filename", path,
                                     "-"], input=source, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_ruff_bans_every_core_module_but_the_facades():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        banned = set(tomllib.load(handle)["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"])
    expected = {f"coopserv.{name}" for name in _core_names() - FACADES}
    missing = sorted(expected - banned)
    assert missing == [], "add to [tool.ruff.lint.flake8-tidy-imports.banned-api] in pyproject.toml:\n" + "\n".join(
        f'"{name}".msg = "Plugins import from coopserv.plugin_api only (their tests also from coopserv.testing): '
        f'see docs/plugin-guide.md."' for name in missing)
    assert not {f"coopserv.{name}" for name in FACADES} & set(banned)


def test_ruff_refuses_a_plugin_importing_the_core_and_accepts_the_facade():
    for path in ("plugins/concierge/probe.py", "examples/coopserv-coworking/coopserv_coworking/probe.py",
                 "plugins/concierge/tests/test_probe.py"):
        refused = _check("from coopserv.modules.services import get_module\n\nget_module\n", path)
        assert refused.returncode != 0 and "TID251" in refused.stdout, (path, refused.stdout)
        assert _check("from coopserv import create_app\n\ncreate_app\n", path).returncode != 0
        accepted = _check("from coopserv.plugin_api import get_module\nfrom coopserv.testing import seed_demo\n\n"
                          "get_module, seed_demo\n", path)
        assert accepted.returncode == 0, (path, accepted.stdout, accepted.stderr)
    assert _check("from coopserv.modules.services import get_module\n\nget_module\n",
                  "coopserv/probe.py").returncode == 0


def test_the_whole_repository_passes_ruff():
    result = subprocess.run(_ruff() + ["check", "--no-cache", "--output-format", "concise", "."], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_facade_lists_every_name_it_offers_sorted():
    offered = plugin_api.__all__
    assert offered == sorted(offered)
    assert len(set(offered)) == len(offered)
    for name in offered:
        assert hasattr(plugin_api, name), name
    public = {name for name in vars(plugin_api) if not name.startswith(("_", "@")) or name == "_l"}
    assert public == set(offered)


def test_the_testing_module_offers_what_plugin_tests_used_to_take_from_the_core():
    from coopserv import testing

    for name in testing.__all__:
        assert hasattr(testing, name), name
    assert {"seed_demo", "erase_person", "export_person", "Notification"} <= set(testing.__all__)
