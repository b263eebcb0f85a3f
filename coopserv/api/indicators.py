"""API for shared indicators: what a territory measures, and monthly series."""
from flask import abort
from flask_babel import gettext as _
from flask_smorest import abort as api_abort

from coopserv.accounts.models import (
    GOVERNANCE_MEMBER,
    SERVICE_OPERATOR,
    TERRITORY_ADMIN,
)
from coopserv.api import BEARER
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.schemas import IndicatorSchema, SeriesQuerySchema, SeriesSchema
from coopserv.indicators import services
from coopserv.modules.services import get_module, list_modules
from coopserv.plugin_host import plugin_host

blp = territory_api_blueprint("api_indicators", __name__, "/indicators", "Shared indicators.")
READERS = (TERRITORY_ADMIN, GOVERNANCE_MEMBER, SERVICE_OPERATOR)


def _describe(indicator):
    return dict(key=indicator.key, label=_(indicator.label), unit=_(indicator.unit),
                service_key=indicator.service_key, description=_(indicator.description))


@blp.route("/")
@blp.response(200, IndicatorSchema(many=True))
@blp.doc(security=[BEARER])
def list_indicators():
    """Indicators of the services this territory runs."""
    require_role(*READERS)
    keys = {m.service_key for m in list_modules()}
    return [_describe(i) for i in plugin_host().indicators.values() if i.service_key is None or i.service_key in keys]


@blp.route("/<key>/series")
@blp.arguments(SeriesQuerySchema, location="query")
@blp.response(200, SeriesSchema)
@blp.doc(security=[BEARER])
def series(query, key):
    """Monthly values of one indicator between two months (at most 60 months)."""
    require_role(*READERS)
    indicator = plugin_host().indicators.get(key)
    if indicator is None:
        abort(404)
    module = get_module(indicator.service_key) if indicator.service_key else None
    if indicator.service_key and module is None:
        abort(404)
    if query["end"] < query["start"] or len(services.months_between(query["start"], query["end"])) > 60:
        api_abort(422, message="Some fields are not valid.",
                  errors={"end": ["Give an end on or after the start, at most 60 months later."]})
    points = services.series(indicator, module, query["start"], query["end"])
    return {"indicator": _describe(indicator), "service_key": indicator.service_key,
            "points": [{"month": month, "value": value} for month, value in points]}
