"""The personal-data policy's register, generated from what the core and plugins declare."""
from collections import namedtuple

from coopserv.modules.services import list_modules
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import current_territory

Entry = namedtuple("Entry", "title purpose fields retention_days erase service")


def register():
    """What the territory keeps about people, grouped by owner: [(service type or None, [Entry])].

    The core comes first; a plugin appears only when one of its services is enabled in the
    current territory. Entries are the ``PersonalData`` declared on service types
    (``ServiceType.personal_data``) and through the ``register_personal_data`` hook, as for exports.
    """
    host = plugin_host()
    enabled = ({module.service_key for module in list_modules(enabled_only=True)}
               if current_territory() is not None else set())
    services_of = {}
    for key, plugin in host.service_type_plugin.items():
        services_of.setdefault(plugin, []).append(host.service_types[key])
    declared = []
    for plugin_name, specs in host.call_each("register_personal_data"):
        kinds = [kind for kind in services_of.get(plugin_name, []) if kind.key in enabled]
        if plugin_name == "core" or kinds:
            declared.append((kinds[0] if kinds else None, specs))
    declared += [(kind, kind.personal_data) for kind in host.service_types.values()
                 if kind.key in enabled and kind.personal_data]
    groups, seen = {}, set()  # by service key (None: the core), in declaration order
    for service, specs in declared:
        group = groups.setdefault(service.key if service else None, (service, []))
        for spec in specs:
            if id(spec) not in seen:
                seen.add(id(spec))
                group[1].append(Entry(spec.title, spec.purpose, spec.fields, spec.retention_days, spec.erase, service))
    return sorted(groups.values(), key=lambda group: group[0] is not None)
