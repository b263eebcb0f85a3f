"""Packaging: a regular (non-editable) install must contain every package of coopserv and its plugins."""
import os
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _declared():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def _packages_on_disk(folder, installed_as):
    found = set()
    for directory, subdirectories, files in os.walk(os.path.join(ROOT, folder)):
        subdirectories[:] = [d for d in subdirectories if d not in ("tests", "__pycache__")]
        if "__init__.py" in files:
            relative = os.path.relpath(directory, os.path.join(ROOT, folder))
            parts = [] if relative == "." else relative.split(os.sep)
            found.add(".".join([installed_as, *parts]))
    return found


def test_every_package_is_listed_in_pyproject():
    declared = set(_declared()["packages"])
    on_disk = _packages_on_disk("coopserv", "coopserv") | _packages_on_disk("plugins", "coopserv_plugins")
    assert "coopserv.accounts" in on_disk and "coopserv_plugins.concierge" in on_disk
    assert sorted(on_disk - declared) == []


def test_plugins_folder_is_installed_as_coopserv_plugins():
    assert _declared()["package-dir"] == {"coopserv_plugins": "plugins", "coopserv.migrations": "migrations"}
    assert not any(name == "plugins" or name.startswith("plugins.") for name in _declared()["packages"])


def test_migrations_ship_inside_the_packages():
    """The core's revisions install as coopserv/migrations; each plugin's stay in its package."""
    declared = _declared()
    assert {"coopserv.migrations", "coopserv.migrations.versions"} <= set(declared["packages"])
    assert {"alembic.ini", "script.py.mako"} <= set(declared["package-data"]["coopserv.migrations"])
    assert "migrations/**/*.py" in declared["package-data"]["*"]
    for name in os.listdir(os.path.join(ROOT, "plugins")):
        if os.path.isfile(os.path.join(ROOT, "plugins", name, "__init__.py")):
            assert os.listdir(os.path.join(ROOT, "plugins", name, "migrations", "versions")), name


def test_every_builtin_plugin_is_an_entry_point():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        entry_points = tomllib.load(handle)["project"]["entry-points"]["coopserv.plugins"]
    plugins = {name for name in os.listdir(os.path.join(ROOT, "plugins"))
               if os.path.isfile(os.path.join(ROOT, "plugins", name, "__init__.py"))}
    assert {name: f"coopserv_plugins.{name}" for name in plugins} == entry_points
