"""`coopserv plugin new NAME`: write a complete, pip-installable service plugin that passes its tests.

The files live in ``template/`` with ``${name}``-style placeholders
(string.Template, so the Jinja templates inside are left alone).
"""
import os
import re
import uuid
from string import Template

from coopserv.i18n_tools import compile_catalogs as compile_catalogs_of

TEMPLATE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "template")
NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(ValueError):
    """The plugin cannot be written (bad name, folder already there)."""


def placeholders(name, title):
    return {
        "name": name,
        "name_dash": name.replace("_", "-"),
        "Name": "".join(part.capitalize() for part in name.split("_")),
        "title": title,
        "revision": f"{name}_0001_{uuid.uuid4().hex[:6]}",
    }


def create_plugin(name, destination, title=None, compile_catalogs=True):
    """Write ``coopserv-<name>/`` under ``destination`` and return its path."""
    if not NAME.match(name):
        raise ScaffoldError("NAME must be lower-case letters, digits and underscores, starting with a letter.")
    values = placeholders(name, title or name.replace("_", " ").capitalize())
    root = os.path.join(destination, f"coopserv-{values['name_dash']}")
    if os.path.exists(root):
        raise ScaffoldError(f"{root} already exists.")
    for folder, _dirs, files in os.walk(TEMPLATE_ROOT):
        relative = os.path.relpath(folder, TEMPLATE_ROOT)
        target_folder = os.path.join(root, _target_path(relative, values))
        os.makedirs(target_folder, exist_ok=True)
        for filename in files:
            if not filename.endswith(".tmpl"):
                continue
            with open(os.path.join(folder, filename), encoding="utf-8") as handle:
                text = Template(handle.read()).substitute(values)
            target = os.path.join(target_folder, _target_path(filename.removesuffix(".tmpl"), values))
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
    if compile_catalogs:
        compile_catalogs_of(os.path.join(root, f"coopserv_{name}"))
    return root


def _target_path(relative, values):
    """Rename template paths: ``package`` becomes the package, ``NAME`` the plugin name."""
    parts = []
    for part in relative.split(os.sep):
        if part == "package":
            part = f"coopserv_{values['name']}"
        parts.append(part.replace("NAME", values["name"]))
    return os.path.join(*parts) if parts else ""
