"""What a place request needs: an open house with at least one childminder working in it."""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import Childminder, House


def prerequisites(module):
    houses = db.session.scalar(select(func.count()).select_from(House).where(House.active.is_(True)))
    staffed = db.session.scalar(select(func.count(func.distinct(Childminder.house_id)))
                                .join(House, Childminder.house_id == House.id).where(House.active.is_(True)))
    link = "childminder_house.manage"
    return [
        Prerequisite(_l("An open childminder house"), bool(houses), link),
        Prerequisite(_l("A childminder working in it"), bool(staffed), link),
    ]
