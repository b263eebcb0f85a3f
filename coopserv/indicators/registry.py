"""The indicator registry: every indicator by key, those plugins declare and those a territory defines itself.

``plugin_host().indicators`` is this mapping. Indicators declared with
``register_indicators`` are stored once, at start-up. Those a territory
defines (its committee's) come from the ``territory_indicators`` hook for the
territory in scope, asked once per request; without a territory in scope only
the declared ones are there.
"""
from collections.abc import MutableMapping

from coopserv.tenancy import current_territory, request_cache


class IndicatorRegistry(MutableMapping):
    """Indicators by key: declared ones first, then the current territory's own."""

    def __init__(self, host):
        self._host = host
        self._declared = {}

    def _territory_own(self):
        territory = current_territory()
        if territory is None:
            return {}
        cache = request_cache()
        slot = cache.setdefault("territory_indicators", {}) if cache is not None else {}
        if territory.id not in slot:
            slot[territory.id] = {indicator.key: indicator for indicator in
                                  self._host.collect("territory_indicators", territory=territory)
                                  if indicator.key not in self._declared}
        return slot[territory.id]

    def __getitem__(self, key):
        if key in self._declared:
            return self._declared[key]
        return self._territory_own()[key]

    def __setitem__(self, key, indicator):
        self._declared[key] = indicator

    def __delitem__(self, key):
        del self._declared[key]

    def __iter__(self):
        yield from self._declared
        yield from self._territory_own()

    def __len__(self):
        return len(self._declared) + len(self._territory_own())

    def __contains__(self, key):
        return key in self._declared or key in self._territory_own()

    def declared(self):
        """Only the indicators plugins declared, whatever territory is in scope."""
        return dict(self._declared)
