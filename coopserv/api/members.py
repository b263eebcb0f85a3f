"""Admin API: members and their roles, pending sign-ups, and invitations."""
from flask_login import current_user
from marshmallow import ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.accounts import services as accounts
from coopserv.accounts.models import MEMBERSHIP_STATUSES, ROLES, SERVICE_OPERATOR, TERRITORY_ADMIN, Membership
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.common import get_or_404, invalid, paginate, refuse
from coopserv.extensions import db
from coopserv.invitations import services as invitations
from coopserv.invitations.models import FROM_API, STATUSES as INVITATION_STATUSES, Invitation
from coopserv.invitations.schemas import InvitationCreateSchema
from coopserv.modules.models import ServiceModule
from coopserv.organizations.models import Organization
from coopserv.schemas import Id, Schema, one_of

blp = territory_api_blueprint("api_members", __name__, "", "Members, roles and invitations (territory admins).")


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()


class MembershipOutSchema(Schema):
    id = fields.Integer()
    user = fields.Nested(PersonSchema)
    role = fields.String()
    status = fields.String()
    organization_id = fields.Integer(allow_none=True)
    module_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class MemberQuerySchema(Schema):
    role = fields.String(validate=one_of(ROLES))
    status = fields.String(validate=one_of(MEMBERSHIP_STATUSES))
    organization_id = Id()


class RoleGrantSchema(Schema):
    """Give someone who already belongs to the territory another role (invite newcomers instead)."""

    user_id = Id(required=True)
    role = fields.String(required=True, validate=one_of(ROLES))
    organization_id = Id(load_default=None)
    module_id = Id(load_default=None, metadata={"description": "The service an operator works on."})


class ApproveSchema(Schema):
    organization_id = Id(required=True)


class InvitationOutSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    organization_id = fields.Integer(allow_none=True)
    status = fields.String()
    source = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)


class InvitationQuerySchema(Schema):
    status = fields.String(validate=one_of(list(INVITATION_STATUSES)))


def db_first(query):
    return db.session.scalars(query.limit(1)).first()


@blp.route("/members/")
@blp.arguments(MemberQuerySchema, location="query")
@blp.response(200, MembershipOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_members(filters, pagination_parameters):
    """Every role held in the territory, pending sign-ups first."""
    require_role(TERRITORY_ADMIN)
    query = (select(Membership).filter_by(**filters).options(selectinload(Membership.user))
             .order_by(Membership.status.desc(), Membership.id))
    return paginate(query, pagination_parameters)


@blp.route("/members/", methods=["POST"])
@blp.arguments(RoleGrantSchema)
@blp.response(201, MembershipOutSchema)
@blp.doc(security=[BEARER])
def grant_role(data):
    """Give a member of the territory a role (operators name their service)."""
    require_role(TERRITORY_ADMIN)
    member = db_first(select(Membership).filter_by(user_id=data["user_id"]))
    if member is None:
        invalid({"user_id": ["Not a member of this territory: send an invitation instead."]})
    if data["role"] == SERVICE_OPERATOR and not data.get("module_id"):
        invalid({"module_id": ["Choose the service this operator works on."]})
    if data.get("module_id") and db_first(select(ServiceModule.id).filter_by(id=data["module_id"])) is None:
        invalid({"module_id": ["Choose a service of this territory."]})
    if data.get("organization_id") and db_first(select(Organization.id).filter_by(id=data["organization_id"])) \
            is None:
        invalid({"organization_id": ["Choose an organization of this territory."]})
    return accounts.grant_role(member.user, data["role"], data.get("organization_id"), data.get("module_id"))


@blp.route("/members/<int:membership_id>")
@blp.response(200, MembershipOutSchema)
@blp.doc(security=[BEARER])
def get_member(membership_id):
    require_role(TERRITORY_ADMIN)
    return get_or_404(Membership, membership_id)


@blp.route("/members/<int:membership_id>/approve", methods=["POST"])
@blp.arguments(ApproveSchema)
@blp.response(200, MembershipOutSchema)
@blp.doc(security=[BEARER])
def approve(data, membership_id):
    """Activate a pending sign-up, attaching the person to an organization."""
    require_role(TERRITORY_ADMIN)
    membership = get_or_404(Membership, membership_id)
    try:
        return accounts.approve_membership(membership, data["organization_id"])
    except ValidationError as error:
        invalid(error.messages)


@blp.route("/members/<int:membership_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, schema=ApiErrorSchema, description="Nobody removes their own administrator role.")
@blp.doc(security=[BEARER])
def revoke(membership_id):
    """Remove one role; nobody removes their own administrator role."""
    require_role(TERRITORY_ADMIN)
    membership = get_or_404(Membership, membership_id)
    if membership.user_id == current_user.id and membership.role == TERRITORY_ADMIN:
        refuse(409, "You cannot remove your own administrator role.")
    accounts.revoke_membership(membership)


@blp.route("/invitations/")
@blp.arguments(InvitationQuerySchema, location="query")
@blp.response(200, InvitationOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_invitations(filters, pagination_parameters):
    """Invitations, newest first."""
    require_role(TERRITORY_ADMIN)
    return paginate(select(Invitation).filter_by(**filters).order_by(Invitation.id.desc()), pagination_parameters)


@blp.route("/invitations/", methods=["POST"])
@blp.arguments(InvitationCreateSchema)
@blp.response(201, InvitationOutSchema)
@blp.doc(security=[BEARER])
def invite(data):
    """Invite someone by e-mail: the signed link lets them set a password and join with the role."""
    require_role(TERRITORY_ADMIN)
    try:
        return invitations.invite(data, current_user, source=FROM_API)
    except ValidationError as error:
        invalid(error.messages)


@blp.route("/invitations/<int:invitation_id>")
@blp.response(200, InvitationOutSchema)
@blp.doc(security=[BEARER])
def get_invitation(invitation_id):
    require_role(TERRITORY_ADMIN)
    return get_or_404(Invitation, invitation_id)


@blp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@blp.response(200, InvitationOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="This invitation is not waiting for an answer.")
@blp.doc(security=[BEARER])
def resend(invitation_id):
    """Send a fresh link; the previous one stops working."""
    require_role(TERRITORY_ADMIN)
    invitation = get_or_404(Invitation, invitation_id)
    try:
        return invitations.resend(invitation, current_user)
    except ValidationError as error:
        invalid(error.messages, 409, "This invitation is not waiting for an answer.")


@blp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@blp.response(200, InvitationOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="This invitation is not waiting for an answer.")
@blp.doc(security=[BEARER])
def revoke_invitation(invitation_id):
    """Withdraw an invitation: its link stops working."""
    require_role(TERRITORY_ADMIN)
    invitation = get_or_404(Invitation, invitation_id)
    try:
        return invitations.revoke(invitation, current_user)
    except ValidationError as error:
        invalid(error.messages, 409, "This invitation is not waiting for an answer.")
