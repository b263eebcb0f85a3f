"""The second plugin declaring the indicator key "twin.count"."""
from coopserv.plugin_api import Indicator, hookimpl


@hookimpl
def register_indicators():
    return [Indicator("twin.count", "Twins again", "", None, lambda module, start, end: 1)]
