"""What carpooling needs before employees can describe a commute: a business park and a town.

Each test is an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import BusinessPark, Town


def prerequisites(module):
    link = "mobility.manage"
    return [
        Prerequisite(_l("At least one business park (where people work)"),
                     exists().where(BusinessPark.active.is_(True)), link),
        Prerequisite(_l("At least one town (where people live)"), exists().where(Town.id.isnot(None)), link),
    ]
