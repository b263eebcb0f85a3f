"""API of a territory's public-page settings: which sections visitors read (territory admins)."""
from marshmallow import ValidationError, fields

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.common import invalid
from coopserv.public import services
from coopserv.public.schemas import SettingsSchema
from coopserv.schemas import Schema

blp = territory_api_blueprint("api_public", __name__, "/public-settings",
                              "What a territory publishes for visitors without an account (territory admins).")


class PublicSettingsOutSchema(Schema):
    services = fields.Boolean(metadata={"description": "The services running."})
    needs = fields.Boolean(metadata={"description": "The needs board: titles and counts, no names."})
    projects = fields.Boolean(metadata={"description": "Projects with their stage and decision."})
    events = fields.Boolean(metadata={"description": "The events chosen as public."})
    introduction = fields.String(metadata={"description": "Shown on the public home and as its description."})


class PublicSettingsInSchema(SettingsSchema):
    """The whole settings, as on the admin page: a section left out is not published."""


@blp.route("/")
@blp.response(200, PublicSettingsOutSchema)
@blp.doc(security=[BEARER])
def get_settings():
    """Which sections visitors read (nothing until an admin publishes it)."""
    require_role(TERRITORY_ADMIN)
    return services.settings()


@blp.route("/", methods=["PUT"])
@blp.arguments(PublicSettingsInSchema)
@blp.response(200, PublicSettingsOutSchema)
@blp.doc(security=[BEARER])
def update_settings(data):
    """Choose what is published; the same rules as the admin page, and the change is audited."""
    require_role(TERRITORY_ADMIN)
    try:
        return services.save_settings(data)
    except ValidationError as error:
        invalid(error.messages)
