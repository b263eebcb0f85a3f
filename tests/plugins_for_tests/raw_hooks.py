"""A plugin using every raw register_* hook instead of declaring on a ServiceType (both keep working)."""
import os

import click
from flask import Blueprint

from coopserv.plugin_api import (
    Indicator,
    Membership,
    PersonalData,
    hookimpl,
    territory_api_blueprint,
)

HERE = os.path.dirname(os.path.abspath(__file__))
bp = Blueprint("raw_hooks", __name__)
blp = territory_api_blueprint("api_raw_hooks", __name__, "/raw-hooks", "Raw hooks.")


@bp.get("/raw-hooks/ping")
def ping():
    return "raw pong"


@blp.route("/ping")
def api_ping():
    return {"pong": True}


@click.command("raw-hooks-hello")
def hello():
    """Say hello (a command added through register_commands)."""
    click.echo("hello from raw hooks")


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_api_blueprints():
    return [blp]


@hookimpl
def register_migration_directories():
    return [os.path.join(HERE, "raw_migrations")]


@hookimpl
def register_translation_directories():
    return [os.path.join(HERE, "raw_translations")]


@hookimpl
def register_indicators():
    return [Indicator("raw_hooks.zero", "Zero", "", None, lambda module, start, end: 0)]


@hookimpl
def register_personal_data():
    return [PersonalData(Membership, "user_id", ("role",), label="raw_hooks_roles")]


@hookimpl
def register_commands():
    return [hello]


@hookimpl
def indicator_targets(territory):
    return {"raw_hooks.zero": 7}
