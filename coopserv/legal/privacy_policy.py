"""The personal-data policy's register, generated from what the core and plugins declare."""
from collections import namedtuple

from coopserv.modules.services import list_modules
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import current_territory

Entry = namedtuple("Entry", "title purpose fields retention_days erase service")


def register():
    """What the territory keeps about people, grouped by owner: [(service type or None, [Entry])].

    The core comes first; a plugin appears only when one of its services is enabled in the
    current territory. Entries come from ``register_personal_data`` declarations.
    """
    host = plugin_host()
    enabled = ({module.service_key for module in list_modules(enabled_only=True)}
               if current_territory() is not None else set())
    services_of = {}
    for key, plugin in host.service_type_plugin.items():
        services_of.setdefault(plugin, []).append(host.service_types[key])
    groups = []
    for plugin_name, specs in host.call_each("register_personal_data"):
        kinds = [kind for kind in services_of.get(plugin_name, []) if kind.key in enabled]
        if plugin_name != "core" and not kinds:
            continue
        service = kinds[0] if kinds else None
        entries = [Entry(spec.title, spec.purpose, spec.fields, spec.retention_days, spec.erase, service)
                   for spec in specs]
        groups.append((service, entries))
    groups.sort(key=lambda group: group[0] is not None)
    return groups
