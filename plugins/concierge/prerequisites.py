"""What an order needs: a provider offering at least one item, and a pickup slot."""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import CatalogItem, PickupPoint, PickupSlot, Provider


def _count(query):
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def prerequisites(module):
    providers = _count(select(Provider.id).where(Provider.active.is_(True)))
    items = _count(select(CatalogItem.id).join(Provider)
                   .where(CatalogItem.active.is_(True), Provider.active.is_(True)))
    slots = _count(select(PickupSlot.id).join(PickupPoint).where(PickupPoint.active.is_(True)))
    link = "concierge.manage"
    return [
        Prerequisite(_l("A provider"), bool(providers), link),
        Prerequisite(_l("An item offered by a provider"), bool(items), link),
        Prerequisite(_l("A pickup slot at a pickup point"), bool(slots), link),
    ]
