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

    def _register_pagination_header(self):
        """X-Pagination as HTTP sends it, JSON text (flask-smorest documents the decoded object)."""
        from flask_smorest.pagination import PaginationMetadataSchema

        from coopserv.api.openapi import PAGINATION_HEADER

        self.spec.components.schema("PaginationMetadata", schema=PaginationMetadataSchema)
        self.spec.components.header("PAGINATION", PAGINATION_HEADER, lazy=True)


BEARER = {"bearerAuth": []}


def init_api(app, host):
    """Bind the API, register the core's blueprints, then the plugins' (hook register_api_blueprints)."""
    from coopserv.api import (
        committee_indicators,
        events,
        governance,
        imports,
        indicators,
        members,
        modules,
        needs,
        network,
        organizations,
        projects,
        platform,
        public,
        public_events,
        requests,
        territories,
    )

    # One Api per app: its OpenAPI document describes this app's plugins, not the last app built.
    from coopserv.api.openapi import RefusalsPlugin, no_control_characters_property

    api = CoopservApi()
    description = "coopserv REST API. Authenticate with a personal access token: `Authorization: Bearer cps_…`."
    api.init_app(app, spec_kwargs={"extra_plugins": [RefusalsPlugin()], "info": {"description": description}})
    api.ma_plugin.converter.add_attribute_function(no_control_characters_property)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in (territories.blp, modules.blp, requests.blp, needs.blp, indicators.blp, committee_indicators.blp,
                      organizations.blp, members.blp, imports.blp, events.blp, network.blp, projects.blp,
                      governance.blp, public.blp, public_events.blp, platform.blp):
        api.register_blueprint(blueprint)
    for blueprint in host.api_blueprints():
        api.register_blueprint(blueprint)
    for key, kind in sorted(host.service_types.items()):
        api.spec.components.schema(f"{key}_request_payload", schema=kind.request_schema)
    from coopserv.extensions import csrf

    for blueprint in app.blueprints.values():
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)
