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
        self.migration_directories = _unique(
            [kind.migrations for kind in self.service_types.values() if kind.migrations]
            + self.collect("register_migration_directories"))

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
                self.service_types[service_type.key] = guard_callbacks(service_type, plugin_name)
                self.service_type_plugin[service_type.key] = plugin_name

    def _collect_indicators(self):
        owners = {}
        declared = [(self.service_type_plugin[kind.key], kind.indicators) for kind in self.service_types.values()]
        for plugin_name, indicators in declared + self.call_each("register_indicators"):
            for indicator in indicators:
                if indicator.key in owners:
                    raise PluginConfigurationError(
                        f"Indicator {indicator.key!r} is declared by both {owners[indicator.key]!r} and {plugin_name!r}."
                    )
                owners[indicator.key] = plugin_name
                self.indicators[indicator.key] = indicator

    # -- what plugins bring: declared on their service types, plus the raw register_* hooks ----
    def _declared(self, attribute, hook_name):
        items = [item for kind in self.service_types.values() for item in getattr(kind, attribute)]
        return _unique(items + self.collect(hook_name))

    def blueprints(self):
        """Flask blueprints of every plugin (``ServiceType.blueprints`` and ``register_blueprints``)."""
        return self._declared("blueprints", "register_blueprints")

    def api_blueprints(self):
        """REST blueprints of every plugin (``ServiceType.api_blueprints`` and ``register_api_blueprints``)."""
        return self._declared("api_blueprints", "register_api_blueprints")

    def plugin_rollups(self):
        """Aggregates plugins keep of their own rows (``ServiceType.rollups``), by key; a key declared twice fails."""
        found = {}
        for kind in self.service_types.values():
            for rollup in kind.rollups:
                if rollup.key in found:
                    raise PluginConfigurationError(f"Rollup {rollup.key!r} is declared twice.")
                found[rollup.key] = rollup
        return found

    def commands(self):
        """click commands of every plugin (``ServiceType.commands`` and ``register_commands``)."""
        return self._declared("commands", "register_commands")

    def personal_data(self):
        """``PersonalData`` of the core and every plugin (``ServiceType.personal_data`` and the hook).

        Two declarations under one label would overwrite each other's export, and the same column
        declared twice with the same fields and rule is a copy: both are mistakes, refused where they
        are made. A plugin may still export its own view of a core table under its own label.
        """
        declared = self._declared("personal_data", "register_personal_data")
        labels, copies = set(), set()
        for spec in declared:
            label = spec.label or spec.model.__tablename__  # the export's section name
            copy = (spec.model.__name__, spec.user_column, tuple(spec.fields), spec.erase, spec.related is None)
            if label in labels or copy in copies:
                raise ValueError(f"personal data declared twice: {spec.model.__name__}.{spec.user_column} ({label})")
            labels.add(label)
            copies.add(copy)
        return declared

    def translation_directories(self):
        """Catalog folders of every plugin (``ServiceType.translations`` and the hook)."""
        declared = [kind.translations for kind in self.service_types.values() if kind.translations]
        return _unique(declared + self.collect("register_translation_directories"))

    # -- calling ---------------------------------------------------------
    # The arguments are checked and gathered before a plugin runs: a mistake in the core's call
    # raises TypeError where it was made, and is never blamed on (or hidden by) a plugin.
    def _implementations(self, hook_name, kwargs):
        """The hook's implementations in calling order, each with its arguments taken from ``kwargs``."""
        hook = getattr(self.pm.hook, hook_name)
        expected = set(hook.spec.argnames) if hook.spec else set(kwargs)
        if set(kwargs) != expected:
            raise TypeError(f"Hook {hook_name} takes {sorted(expected)}, was called with {sorted(kwargs)}.")
        return [(impl, [kwargs[name] for name in impl.argnames]) for impl in reversed(hook.get_hookimpls())]

    def call_each(self, hook_name, **kwargs):
        """Call every implementation, logging and skipping those that raise.

        Returns (plugin name, result) pairs for the non-None results.
        """
        results = []
        for impl, args in self._implementations(hook_name, kwargs):
            try:
                result = impl.function(*args)
            except Exception:
                log.exception("Plugin %s raised in %s; its answer is left out", impl.plugin_name, hook_name)
                continue
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def first_result(self, hook_name, **kwargs):
        """Call a ``firstresult`` hook safely: stop at the first non-None answer and return it (None if none)."""
        for impl, args in self._implementations(hook_name, kwargs):
            try:
                result = impl.function(*args)
            except Exception:
                log.exception("Plugin %s raised in %s; the next plugin is asked", impl.plugin_name, hook_name)
                continue
            if result is not None:
                return result
        return None

    def collect(self, hook_name, **kwargs):
        """Concatenate the lists every plugin returns for a ``register_*`` or slot hook."""
        return [item for _plugin, items in self.call_each(hook_name, **kwargs) for item in items]

    def call_owner(self, hook_name, service_key, **kwargs):
        """Call only the implementation of the plugin owning ``service_key`` (logged if it raises)."""
        owner = self.service_type_plugin.get(service_key)
        for impl, args in self._implementations(hook_name, kwargs):
            if impl.plugin_name != owner:
                continue
            try:
                return impl.function(*args)
            except Exception:
                log.exception("Plugin %s raised in %s", impl.plugin_name, hook_name)
        return None

    def call_for_service(self, hook_name, service_key, **kwargs):
        """Call a request hook of the plugin owning the service only; its failure propagates.

        The caller rolls back when it raises: the plugin's domain rows would be
        missing otherwise. Other plugins watch requests through
        ``any_request_changed`` (see ``observe``).
        """
        owner = self.service_type_plugin.get(service_key)
        for impl, args in self._implementations(hook_name, kwargs):
            if impl.plugin_name == owner:
                impl.function(*args)

    def observe(self, session, **kwargs):
        """Tell every plugin about a request's change (``any_request_changed``), each in a savepoint.

        An observer that raises is logged and what it wrote is rolled back; the
        request's own change goes on.
        """
        for impl, args in self._implementations("any_request_changed", kwargs):
            try:
                with session.begin_nested():
                    impl.function(*args)
            except Exception:
                log.exception("Plugin %s raised in any_request_changed; its work is rolled back", impl.plugin_name)

    def plugin_for(self, service_key):
        """Return the pluggy plugin object owning a service type, or None."""
        name = self.service_type_plugin.get(service_key)
        return self.pm.get_plugin(name) if name else None


#: ServiceType callbacks the core calls while drawing its pages, and what stands in when one raises.
GUARDED_CALLBACKS = {"summarize": "", "request_form_context": None, "request_detail_context": None}


def guard_callbacks(service_type, plugin_name):
    """Return ``service_type`` with its page callbacks guarded like hooks.

    A callback that raises is logged; ``summarize`` then gives an empty line
    and the context callbacks give None, so the core's page leaves the
    plugin's part out and shows the rest.
    """
    import dataclasses

    def guarded(name, function, fallback):
        def call(argument):
            try:
                return function(argument)
            except Exception:
                log.exception("Plugin %s raised in %s of service type %s; that part of the page is left out",
                              plugin_name, name, service_type.key)
                return fallback

        call.__wrapped__ = function
        return call

    return dataclasses.replace(service_type, **{
        name: guarded(name, getattr(service_type, name), fallback) for name, fallback in GUARDED_CALLBACKS.items()
    })


def _unique(items):
    """Keep the first of each item (by identity, or equality for paths), in order."""
    seen, kept = set(), []
    for item in items:
        key = item if isinstance(item, str) else id(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


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
