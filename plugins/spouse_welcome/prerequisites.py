"""What a case needs: a welcome referent (an operator of the service) to receive it in confidence.

The test is an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import ACTIVE, SERVICE_OPERATOR, Membership, Prerequisite, _l


def prerequisites(module):
    referents = exists().where(Membership.role == SERVICE_OPERATOR, Membership.module_id == module.id,
                               Membership.status == ACTIVE)
    return [Prerequisite(_l("A welcome referent (an operator of this service) to receive the cases"),
                         referents, "admin.members")]
