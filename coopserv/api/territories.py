"""Public API: the territories and the services each one runs."""
from flask import abort
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from coopserv.api.auth import API_PREFIX
from coopserv.api.schemas import TerritorySchema
from coopserv.extensions import db
from coopserv.modules.models import STOPPED, ServiceModule
from coopserv.plugin_host import service_type
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.territories.models import Territory

blp = Blueprint("api_territories", __name__, url_prefix=f"{API_PREFIX}/territories",
                description="Territories and their enabled services (public).")


def _with_services(territories):
    """Attach each territory's open services, loaded in one query for all of them."""
    ids = [t.id for t in territories]
    modules = db.session.scalars(
        select(ServiceModule)
        .where(ServiceModule.territory_id.in_(ids), ServiceModule.enabled.is_(True), ServiceModule.stage != STOPPED)
        .order_by(ServiceModule.service_key)
        .execution_options(**{ALL_TERRITORIES: True})
    ).all() if ids else []
    by_territory = {}
    for module in modules:
        kind = service_type(module.service_key)
        if kind is not None:
            by_territory.setdefault(module.territory_id, []).append(
                {"service_key": module.service_key, "label": _(kind.label), "stage": module.stage})
    return [dict(slug=t.slug, name=t.name, region=t.region, default_language=t.default_language,
                 services=by_territory.get(t.id, [])) for t in territories]


@blp.route("/")
@blp.response(200, TerritorySchema(many=True))
def list_territories():
    """List the territories and the services they run."""
    return _with_services(db.session.scalars(select(Territory).order_by(Territory.name)).all())


@blp.route("/<slug>")
@blp.response(200, TerritorySchema)
def get_territory(slug):
    """One territory and the services it runs."""
    territory = db.session.scalar(select(Territory).filter_by(slug=slug))
    if territory is None:
        abort(404)
    return _with_services([territory])[0]
