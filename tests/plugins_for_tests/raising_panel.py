"""A plugin whose page-slot hook raises: the portal home must still render."""
from coopserv.plugin_api import hookimpl


@hookimpl
def portal_home_panels(territory, user):
    raise RuntimeError("deliberately broken panel")
