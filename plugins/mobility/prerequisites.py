"""What carpooling needs before employees can describe a commute: a business park and a town."""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import BusinessPark, Town


def prerequisites(module):
    parks = db.session.scalar(select(func.count()).select_from(BusinessPark).where(BusinessPark.active.is_(True)))
    towns = db.session.scalar(select(func.count()).select_from(Town))
    link = "mobility.manage"
    return [
        Prerequisite(_l("At least one business park (where people work)"), bool(parks), link),
        Prerequisite(_l("At least one town (where people live)"), bool(towns), link),
    ]
