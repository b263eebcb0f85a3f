"""Build the plugin manager inside create_app and call hooks without letting a plugin fail the app."""
import importlib
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points

import pluggy
from flask import current_app

from coopserv import hookspecs
from coopserv.indicators.registry import IndicatorRegistry

ENTRY_POINT_GROUP = "coopserv.plugins"
log = logging.getLogger(__name__)


class PluginConfigurationError(RuntimeError):
    """Raised at start-up when plugins contradict each other (a key declared twice)."""


@dataclass
class PluginInfo:
    """What `coopserv plugins list` and the admin page show for one plugin."""

    name: str
    module: str
    version: str
    source: str
    hooks: list
    error: str | None = None


class PluginHost:
    """Owns the pluggy manager, the service types and indicators plugins declared."""

    def __init__(self):
        self.pm = pluggy.PluginManager("coopserv")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self.service_types = {}
        self.service_type_plugin = {}
        #: Every indicator by key; also those the territory in scope defined (see indicators.registry).
        self.indicators = IndicatorRegistry(self)
        self.migration_directories = []

    # -- loading ---------------------------------------------------------
    def load(self, enabled=None, extra_modules=()):
        """Register the core hooks, entry-point plugins (all, or those in ``enabled``) and extra modules."""
        from coopserv import core_hooks

        self.pm.register(core_hooks, name="core")
        self.infos["core"] = PluginInfo("core", core_hooks.__name__, _core_version(), "built into coopserv",
                                        sorted(h.name for h in self.pm.get_hookcallers(core_hooks)))
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if enabled is not None and ep.name not in enabled:
                continue
            version = ep.dist.version if ep.dist else "?"
            source = f"entry point of {ep.dist.name}" if ep.dist else "entry point"
            self._register(ep.name, ep.value, ep.load, version, source)
        for dotted in extra_modules:
            self._register(dotted.rsplit(".", 1)[-1], dotted, lambda d=dotted: importlib.import_module(d),
                           "?", "configuration (EXTRA_PLUGINS)")
        self.pm.check_pending()
        self._collect_service_types()
        self._collect_indicators()
        self.migration_directories = self.collect("register_migration_directories")

    def _register(self, name, module_name, loader, version, source):
        if name in self.infos and self.infos[name].error is None:
            raise PluginConfigurationError(f"Plugin {name!r} is registered twice ({module_name}).")
        try:
            module = loader()
            self.pm.register(module, name=name)
        except Exception as exc:  # a broken plugin must not take the portal down
            log.exception("Plugin %s (%s) failed to load and is left out", name, module_name)
            self.infos[name] = PluginInfo(name, module_name, version, source, [], error=repr(exc))
            return
        version = getattr(module, "__version__", version)
        hooks = sorted(impl.name for impl in self.pm.get_hookcallers(module) or [])
        self.infos[name] = PluginInfo(name, module_name, version, source, hooks)

    def _collect_service_types(self):
        for plugin_name, service_types in self.call_each("register_service_types"):
            for service_type in service_types:
                owner = self.service_type_plugin.get(service_type.key)
                if owner is not None:
                    raise PluginConfigurationError(
                        f"Service type {service_type.key!r} is declared by both {owner!r} and {plugin_name!r}."
                    )
                self.service_types[service_type.key] = service_type
                self.service_type_plugin[service_type.key] = plugin_name

    def _collect_indicators(self):
        for _plugin, indicators in self.call_each("register_indicators"):
            for indicator in indicators:
                self.indicators[indicator.key] = indicator

    # -- calling ---------------------------------------------------------
    def call_each(self, hook_name, **kwargs):
        """Call every implementation, logging and skipping those that raise.

        Returns (plugin name, result) pairs for the non-None results.
        """
        hook = getattr(self.pm.hook, hook_name)
        results = []
        for impl in reversed(hook.get_hookimpls()):
            try:
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception:
                log.exception("Plugin %s raised in %s; its answer is left out", impl.plugin_name, hook_name)
                continue
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def first_result(self, hook_name, **kwargs):
        """Call a ``firstresult`` hook safely: the first non-None answer, or None."""
        for _plugin, result in self.call_each(hook_name, **kwargs):
            return result
        return None

    def collect(self, hook_name, **kwargs):
        """Concatenate the lists every plugin returns for a ``register_*`` or slot hook."""
        return [item for _plugin, items in self.call_each(hook_name, **kwargs) for item in items]

    def call_owner(self, hook_name, service_key, **kwargs):
        """Call only the implementation of the plugin owning ``service_key`` (logged if it raises)."""
        owner = self.service_type_plugin.get(service_key)
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name != owner:
                continue
            try:
                return impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception:
                log.exception("Plugin %s raised in %s", impl.plugin_name, hook_name)
        return None

    def call_for_service(self, hook_name, service_key, **kwargs):
        """Call a request hook: strictly for the plugin owning the service, safely for the others.

        The owner's failure propagates so the caller rolls back (its domain rows
        would be missing otherwise); another plugin's failure is only logged.
        """
        owner = self.service_type_plugin.get(service_key)
        hook = getattr(self.pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            args = [kwargs[arg] for arg in impl.argnames]
            if impl.plugin_name == owner:
                impl.function(*args)
                continue
            try:
                impl.function(*args)
            except Exception:
                log.exception("Plugin %s raised in %s; its answer is left out", impl.plugin_name, hook_name)

    def plugin_for(self, service_key):
        """Return the pluggy plugin object owning a service type, or None."""
        name = self.service_type_plugin.get(service_key)
        return self.pm.get_plugin(name) if name else None


def _core_version():
    from coopserv import __version__

    return __version__


def plugin_host() -> PluginHost:
    """Return the app's plugin host."""
    return current_app.extensions["coopserv"]


def service_types():
    """Return the service types known to this app, by key."""
    return plugin_host().service_types


def service_type(key):
    """Return one service type, or None when no enabled plugin declares it."""
    return plugin_host().service_types.get(key)
