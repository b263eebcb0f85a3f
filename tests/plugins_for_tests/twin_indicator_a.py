"""Declares the indicator "twin.count"; so does twin_indicator_b: start-up must refuse the pair."""
from coopserv.plugin_api import Indicator, hookimpl


@hookimpl
def register_indicators():
    return [Indicator("twin.count", "Twins", "", None, lambda module, start, end: 0)]
