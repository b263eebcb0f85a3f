"""What a place request needs: an open house with at least one childminder working in it.

Each test is an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import Childminder, House


def prerequisites(module):
    houses = exists().where(House.active.is_(True))
    staffed = exists().where(Childminder.house_id == House.id, House.active.is_(True))
    link = "childminder_house.manage"
    return [
        Prerequisite(_l("An open childminder house"), houses, link),
        Prerequisite(_l("A childminder working in it"), staffed, link),
    ]
