"""The platform's own endpoints: networks created and listed with a platform operator's token (``cpp_…``).

Networks sit above territories, so neither a territory token nor a network
token may create one (403): only a platform token, which a platform operator
makes with ``coopserv token create EMAIL --platform`` or on *Platform tokens*.
A platform token opens nothing else: territories' and networks' endpoints
answer it 403, and operators use those endpoints' own tokens.
"""
from flask import abort, g
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields
from sqlalchemy import select

from coopserv.api import BEARER
from coopserv.api.auth import API_PREFIX, bearer_token, refuse_writes_of_read_only, valid_token_of_another_kind
from coopserv.api.common import paginate
from coopserv.api.fields import UtcDateTime, invalid
from coopserv.network import services
from coopserv.network.models import Network
from coopserv.network.schemas import NetworkSchema
from coopserv.schemas import Schema
from coopserv.tokens.services import authenticate_platform

blp = Blueprint("api_platform", __name__, url_prefix=f"{API_PREFIX}/networks",
                description="Networks of territories, created by platform operators (platform tokens).")


@blp.before_request
def _authenticate():
    """A platform token of a platform operator; a valid token of another kind is refused with 403."""
    secret = bearer_token()
    token = authenticate_platform(secret)
    if token is None:
        if valid_token_of_another_kind(secret):
            abort(403, "Only a platform operator's platform token (cpp_…) creates and lists networks.")
        abort(401, "A valid platform token is required (Authorization: Bearer cpp_…).")
    refuse_writes_of_read_only(token)
    if not token.user.is_platform_admin:
        abort(403, "The token's owner no longer operates the platform.")
    g._login_user = token.user


class NetworkSummarySchema(Schema):
    slug = fields.String(metadata={"description": "The network's address: /n/<slug>/ (its API: /api/v1/networks/<slug>/)."})
    name = fields.String()
    description = fields.String()
    created_at = UtcDateTime()


@blp.route("/")
@blp.response(200, NetworkSummarySchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_networks(pagination_parameters):
    """Every network of the platform, by name."""
    return paginate(select(Network).order_by(Network.name, Network.id), pagination_parameters)


@blp.route("/", methods=["POST"])
@blp.arguments(NetworkSchema)
@blp.response(201, NetworkSummarySchema)
@blp.doc(security=[BEARER])
def create_network(data):
    """Create a network, as `/networks/new` does (audited in the network's log); a slug in use is a field error.

    Its coordinators, member territories and partners are added next, with a
    network token of the platform operator (who coordinates every network).
    """
    try:
        return services.create_network(data, current_user)
    except ValidationError as error:
        invalid(error)
