"""Coworking desks REST endpoints, documented in coopserv's OpenAPI file."""
from marshmallow import fields

from coopserv.plugin_api import Schema, territory_api_blueprint

from . import services

blp = territory_api_blueprint("api_coworking", __name__, "/coworking", "Coworking desks.")


class CoworkingResourceOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()


@blp.route("/resources")
@blp.response(200, CoworkingResourceOut(many=True))
def list_resources():
    """Resources people can book now."""
    return services.active_resources()
