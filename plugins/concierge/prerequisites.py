"""What an order needs: a provider offering at least one item, and a pickup slot.

Each test is an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import CatalogItem, PickupPoint, PickupSlot, Provider


def prerequisites(module):
    providers = exists().where(Provider.active.is_(True))
    items = exists().where(CatalogItem.provider_id == Provider.id, CatalogItem.active.is_(True),
                           Provider.active.is_(True))
    slots = exists().where(PickupSlot.pickup_point_id == PickupPoint.id, PickupPoint.active.is_(True))
    link = "concierge.manage"
    return [
        Prerequisite(_l("A provider"), providers, link),
        Prerequisite(_l("An item offered by a provider"), items, link),
        Prerequisite(_l("A pickup slot at a pickup point"), slots, link),
    ]
