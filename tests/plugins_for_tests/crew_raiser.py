"""Raises in carpool_crew_for: the next plugin must be asked."""
from coopserv.plugin_api import hookimpl


@hookimpl
def carpool_crew_for(user, day):
    raise RuntimeError("deliberately broken answer")
