"""What a case needs: a welcome referent (an operator of the service) to receive it in confidence."""
from sqlalchemy import func, select

from coopserv.plugin_api import ACTIVE, SERVICE_OPERATOR, Membership, Prerequisite, _l, db


def prerequisites(module):
    referents = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.role == SERVICE_OPERATOR, Membership.module_id == module.id, Membership.status == ACTIVE))
    return [Prerequisite(_l("A welcome referent (an operator of this service) to receive the cases"),
                         bool(referents), "admin.members")]
