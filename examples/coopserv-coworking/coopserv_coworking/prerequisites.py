"""What a booking needs: a desk to book."""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import Resource


def prerequisites(module):
    desks = db.session.scalar(select(func.count()).select_from(Resource).where(Resource.active.is_(True)))
    return [Prerequisite(_l("A desk to book"), bool(desks), "coworking.manage")]
