"""Answers carpool_crew_for."""
from coopserv.plugin_api import hookimpl


@hookimpl
def carpool_crew_for(user, day):
    return {"crew_id": 1, "label": "first", "size": 3}
