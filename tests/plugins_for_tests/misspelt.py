"""A hook implementation whose name matches no hook specification (a typo)."""
from coopserv.plugin_api import hookimpl


@hookimpl
def register_servce_types():
    return []
