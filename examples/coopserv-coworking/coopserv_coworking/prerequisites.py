"""What a booking needs: a desk to book (an EXISTS test the core evaluates with every service's)."""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import Resource


def prerequisites(module):
    return [Prerequisite(_l("A desk to book"), exists().where(Resource.active.is_(True)), "coworking.manage")]
