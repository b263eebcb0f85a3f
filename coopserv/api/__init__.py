"""The REST API under /api/v1: flask-smorest blueprints documented in one OpenAPI file."""
import marshmallow as ma
from flask_smorest import Api


class ApiErrorSchema(ma.Schema):
    """What every error answers (coopserv.web.json_error): documented as it is sent."""

    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, in the reader's language"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(),
                            metadata={"description": "Messages per field (lists of text, nested for lists)"})


class CoopservApi(Api):
    """flask-smorest's Api, leaving error pages to coopserv (one JSON shape, HTML elsewhere)."""

    ERROR_SCHEMA = ApiErrorSchema

    def _register_error_handlers(self):
        """coopserv's own handler answers every error (see coopserv.web)."""


BEARER = {"bearerAuth": []}


def init_api(app, host):
    """Bind the API, register the core's blueprints, then the plugins' (hook register_api_blueprints)."""
    from coopserv.api import indicators, modules, needs, requests, territories

    # One Api per app: its OpenAPI document describes this app's plugins, not the last app built.
    api = CoopservApi()
    api.init_app(app, spec_kwargs={"info": {"description": "coopserv REST API. Authenticate with a personal "
                                            "access token: `Authorization: Bearer cps_…`."}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in (territories.blp, modules.blp, requests.blp, needs.blp, indicators.blp):
        api.register_blueprint(blueprint)
    for blueprint in host.api_blueprints():
        api.register_blueprint(blueprint)
    for key, kind in sorted(host.service_types.items()):
        api.spec.components.schema(f"{key}_request_payload", schema=kind.request_schema)
    from coopserv.extensions import csrf

    for blueprint in app.blueprints.values():
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)
