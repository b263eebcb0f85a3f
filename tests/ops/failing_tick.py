"""A plugin whose tick always raises, to see failures logged with their territory and retried."""
from coopserv.plugin_api import hookimpl


@hookimpl
def tick(territory, now):
    raise RuntimeError("the parking sensors' gateway is down")
