"""A well-behaved plugin adding a panel, to show the others keep working beside a broken one."""
from markupsafe import Markup

from coopserv.plugin_api import hookimpl


@hookimpl
def portal_home_panels(territory, user):
    return [Markup('<p class="friendly-panel">Panneau ami de %s</p>') % territory.name]
