"""What carpooling needs before employees can describe a commute: a business park and a town.

Each test is an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import BusinessPark, Town


def prerequisites(module):
    """Both link to the places form, where each park and town gets its point in one field."""
    link = "mobility.places"
    return [
        Prerequisite(_l("At least one business park (where people work)"),
                     exists().where(BusinessPark.active.is_(True)), link, {"_anchor": "parks"}, comes_back=True),
        Prerequisite(_l("At least one town (where people live)"), exists().where(Town.id.isnot(None)), link,
                     {"_anchor": "towns"}, comes_back=True),
    ]
