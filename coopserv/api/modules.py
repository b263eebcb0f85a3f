"""Admin API: enable, configure, stage and disable a territory's service modules."""
from flask import abort
from flask_smorest import abort as api_abort
from marshmallow import ValidationError

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.schemas import ModuleEnableSchema, ModuleSchema, ModuleUpdateSchema
from coopserv.extensions import db
from coopserv.modules import services
from coopserv.plugin_host import service_type

blp = territory_api_blueprint("api_modules", __name__, "/modules", "Service modules (territory admins).")


def _dump(module):
    return dict(service_key=module.service_key, enabled=module.enabled, stage=module.stage, access=module.access,
                config=module.config, pilot_organization_ids=[o.id for o in module.pilot_organizations])


def _invalid(errors):
    db.session.rollback()
    api_abort(422, message="Some fields are not valid.", errors=errors)


@blp.route("/")
@blp.response(200, ModuleSchema(many=True))
@blp.doc(security=[BEARER])
def list_modules():
    """The territory's modules, enabled or not."""
    require_role(TERRITORY_ADMIN)
    return [_dump(m) for m in services.list_modules()]


@blp.route("/", methods=["POST"])
@blp.arguments(ModuleEnableSchema)
@blp.response(201, ModuleSchema)
@blp.doc(security=[BEARER])
def enable(data):
    """Enable a service type, with a configuration its plugin validates."""
    require_role(TERRITORY_ADMIN)
    if service_type(data["service_key"]) is None:
        api_abort(422, message="Some fields are not valid.", errors={"service_key": ["Unknown service."]})
    try:
        module = services.enable_module(data["service_key"], stage=data["stage"], config=data["config"])
    except ValidationError as error:
        _invalid({"config": error.messages})
    return _dump(module)


@blp.route("/<service_key>", methods=["PATCH"])
@blp.arguments(ModuleUpdateSchema)
@blp.response(200, ModuleSchema)
@blp.doc(security=[BEARER])
def update(data, service_key):
    """Change a module's configuration, stage, access rule, pilots, or enable/disable it; all or nothing."""
    require_role(TERRITORY_ADMIN)
    module = services.get_module(service_key)
    if module is None or service_type(service_key) is None:
        abort(404)
    if "config" in data:
        try:
            services.validate_config(service_key, data["config"])
        except ValidationError as error:
            _invalid({"config": error.messages})
    if {"stage", "access", "pilot_organization_ids"} & set(data):
        settings = {"stage": data.get("stage", module.stage), "access": data.get("access", module.access),
                    "pilot_organization_ids": data.get("pilot_organization_ids",
                                                       [o.id for o in module.pilot_organizations])}
        try:
            services.update_settings(module, settings)
        except ValidationError as error:
            _invalid(error.messages)
    if "config" in data:
        services.configure_module(module, data["config"])
    if data.get("enabled") is False and module.enabled:
        services.disable_module(module)
    elif data.get("enabled") is True and not module.enabled:
        services.enable_module(service_key, stage=module.stage, config=module.config)
    return _dump(module)
