"""Gives Figeac, and only Figeac, an indicator of its own through territory_indicators."""
from coopserv.plugin_api import Indicator, hookimpl


@hookimpl
def territory_indicators(territory):
    if territory.slug != "figeac":
        return []
    return [Indicator("test.figeac_only", "Figeac only", "things", None, lambda module, start, end: 42,
                      "Given by the territory_indicators hook test.")]
