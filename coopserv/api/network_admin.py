"""API administration of a network: member territories, partners and coordinators (coordinators' network tokens).

The same services as the network's admin page and the CLI write, with the
same schemas; platform operators act with a network token too.
"""
from flask import abort
from flask_login import current_user
from marshmallow import ValidationError, fields

from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.common import invalid, refuse
from coopserv.api.network import PartnerOutSchema, TerritoryRefSchema, _coordinators_only, _territory_ref, blp
from coopserv.network import access, services
from coopserv.network.models import PARTNER_ROLES
from coopserv.network.schemas import MemberTerritorySchema, NetworkCoordinatorSchema, NetworkPartnerSchema
from coopserv.schemas import Schema
from coopserv.territories.services import get_territory


class NetworkPartnerOutSchema(PartnerOutSchema):
    id = fields.Integer()
    role = fields.String(metadata={"description": ", ".join(PARTNER_ROLES)})
    description = fields.String()


class CoordinatorOutSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="user.name")
    email = fields.String(attribute="user.email")
    partner_id = fields.Integer(allow_none=True)
    since = fields.DateTime(attribute="created_at")


def _admin_only():
    """Coordinators with a network token (platform operators included) administer the network."""
    _coordinators_only()


def _field_errors(error):
    if "_schema" in error.messages:
        invalid(error.messages, 409, " ".join(map(str, error.messages["_schema"])))
    invalid(error.messages)


@blp.route("/territories", methods=["POST"])
@blp.arguments(MemberTerritorySchema)
@blp.response(201, TerritoryRefSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="Unknown territory, or already a member.")
@blp.doc(security=[BEARER])
def add_territory(data):
    """Make a territory (named by its slug) a member of the network (coordinators)."""
    _admin_only()
    try:
        return _territory_ref(services.join_territory(access.current_network(), data, current_user))
    except ValidationError as error:
        _field_errors(error)


@blp.route("/territories/<member_slug>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=[BEARER])
def remove_territory(member_slug):
    """End a territory's membership; what it published stays in the library (coordinators)."""
    _admin_only()
    network = access.current_network()
    territory = get_territory(member_slug) if len(member_slug) <= 60 else None
    if territory is None or territory.id not in services.territory_ids(network):
        abort(404)
    services.remove_territory(network, territory, current_user)


@blp.route("/partners")
@blp.response(200, NetworkPartnerOutSchema(many=True))
@blp.doc(security=[BEARER])
def list_partners():
    """The organizations acting at network level (coordinators)."""
    _admin_only()
    return access.current_network().partners


@blp.route("/partners", methods=["POST"])
@blp.arguments(NetworkPartnerSchema)
@blp.response(201, NetworkPartnerOutSchema)
@blp.doc(security=[BEARER])
def save_partner(data):
    """Add a partner, or update the one of that name (coordinators)."""
    _admin_only()
    try:
        return services.save_partner(access.current_network(), data, current_user)
    except ValidationError as error:
        _field_errors(error)


@blp.route("/partners/<int:partner_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=[BEARER])
def remove_partner(partner_id):
    """Remove a partner: it no longer organises events; its people keep their coordinator role (coordinators)."""
    _admin_only()
    network = access.current_network()
    partner = services.get_partner(network, partner_id) if 0 < partner_id < 2**31 else None
    if partner is None:
        abort(404)
    services.remove_partner(network, partner, current_user)


@blp.route("/coordinators")
@blp.response(200, CoordinatorOutSchema(many=True))
@blp.doc(security=[BEARER])
def list_coordinators():
    """The network's coordinators (coordinators)."""
    _admin_only()
    return services.coordinators(access.current_network())


@blp.route("/coordinators", methods=["POST"])
@blp.arguments(NetworkCoordinatorSchema)
@blp.response(201, CoordinatorOutSchema)
@blp.doc(security=[BEARER])
def add_coordinator(data):
    """Make the account of an e-mail a coordinator, optionally working for a partner (coordinators)."""
    _admin_only()
    try:
        return services.name_coordinator(access.current_network(), data, current_user)
    except ValidationError as error:
        _field_errors(error)


@blp.route("/coordinators/<int:coordinator_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, schema=ApiErrorSchema, description="The network's last coordinator stays.")
@blp.doc(security=[BEARER])
def remove_coordinator(coordinator_id):
    """Withdraw a coordinator role; the last one cannot be withdrawn (coordinators)."""
    _admin_only()
    network = access.current_network()
    member = services.get_coordinator(network, coordinator_id) if 0 < coordinator_id < 2**31 else None
    if member is None:
        abort(404)
    try:
        services.remove_coordinator(network, member, current_user)
    except ValidationError as error:
        refuse(409, " ".join(map(str, error.messages["_schema"])))
