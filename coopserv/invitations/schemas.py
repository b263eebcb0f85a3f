"""Input schemas of invitations: inviting someone, and the new account an invited person sets up."""
from marshmallow import fields, pre_load

from coopserv.accounts.models import COMPANY_REFERENT, EMPLOYEE, GOVERNANCE_MEMBER, TERRITORY_ADMIN
from coopserv.accounts.schemas import PasswordSchema
from coopserv.schemas import Id, Schema, Text, length, one_of

#: Roles a person can be invited to; operators are given their service by an admin afterwards.
INVITABLE_ROLES = (EMPLOYEE, COMPANY_REFERENT, GOVERNANCE_MEMBER, TERRITORY_ADMIN)


class InvitationCreateSchema(Schema):
    email = fields.Email(required=True, validate=length(max=254))
    name = Text(load_default="", validate=length(max=120))
    role = fields.String(load_default=EMPLOYEE, validate=one_of(INVITABLE_ROLES))
    organization_id = Id(load_default=None, allow_none=True)

    @pre_load
    def _lower_email(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            data = {**data, "email": data["email"].strip().lower()}
        return data


class AcceptSchema(PasswordSchema):
    """An invited person without an account gives their name and a password."""

    name = Text(required=True, validate=length(min=2, max=120))
