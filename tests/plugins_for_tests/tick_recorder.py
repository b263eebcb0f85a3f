"""Records each tick call with the territory in scope, so the CLI's tick can be checked."""
from coopserv.plugin_api import current_territory, hookimpl

calls = []


@hookimpl
def tick(territory, now):
    calls.append((territory.slug, current_territory().slug, now))
