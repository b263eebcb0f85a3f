"""API for the indicators the committee defines: define, change or archive one, set its target, enter figures.

The same rules as the portal's pages: territory admins and committee members
read and define them; only the person named for a manual indicator (and
territory admins) enter or correct its monthly figures. Their values are read
with every other indicator under ``/indicators/<key>/series``.
"""
from flask import abort
from flask_login import current_user
from marshmallow import ValidationError, fields
from sqlalchemy import select

from coopserv.accounts.access import has_role, is_territory_admin
from coopserv.accounts.models import GOVERNANCE_MEMBER
from coopserv.api import BEARER
from coopserv.api.auth import territory_api_blueprint
from coopserv.api.fields import UtcDateTime, invalid, page_of, row_or_404
from coopserv.committee_indicators import services
from coopserv.committee_indicators.models import CommitteeIndicator, IndicatorFigure
from coopserv.committee_indicators.schemas import MAX_FIGURE, DefinitionSchema, FigureSchema
from coopserv.schemas import Schema, between

blp = territory_api_blueprint("api_committee_indicators", __name__, "/indicators/committee",
                              "Indicators the steering committee defines, their targets and monthly figures.")

#: The definition's fields, as a PATCH completes them from the stored row.
DEFINITION_FIELDS = ("name", "unit", "description", "method", "reporter_id", "aggregation", "source", "filters",
                     "target_value", "per_employees", "active")


class CommitteeIndicatorOutSchema(Schema):
    id = fields.Integer()
    key = fields.String(metadata={"description": "The key under /indicators/ (series, targets, comparison)."})
    name = fields.String()
    unit = fields.String()
    description = fields.String()
    method = fields.String(metadata={"description": "manual (a monthly figure entered by reporter_id) or count."})
    reporter_id = fields.Integer(allow_none=True)
    aggregation = fields.String(metadata={"description": "sum (months add up) or last (the latest month)."})
    source = fields.String(allow_none=True, metadata={"description": "Count indicators: which data is counted."})
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    target_value = fields.Float(allow_none=True)
    per_employees = fields.Boolean()
    active = fields.Boolean(metadata={"description": "False once archived: kept, no longer measured nor shown."})
    created_at = UtcDateTime()


class FigureOutSchema(Schema):
    id = fields.Integer()
    month = fields.Date(metadata={"description": "The first day of the month the figure covers."})
    value = fields.Float()
    note = fields.String()
    entered_by_id = fields.Integer(allow_none=True)
    entered_at = UtcDateTime()


class DefinitionChangesSchema(DefinitionSchema):
    """The definition's fields a PATCH changes; the others keep their stored values."""


class TargetInSchema(Schema):
    target_value = fields.Float(load_default=None, validate=between(-MAX_FIGURE, MAX_FIGURE),
                                metadata={"description": "null (or no value) removes the target."})


def _require_committee():
    """Territory admins and committee members define and read the committee's indicators (as on the portal)."""
    if not (is_territory_admin() or has_role(GOVERNANCE_MEMBER)):
        abort(403, "Only territory admins and committee members define committee indicators.")


def _stored(definition):
    return {name: getattr(definition, name) for name in DEFINITION_FIELDS} | {
        "filters": dict(definition.filters or {}), "description": definition.description or ""}


def _update(definition, changes):
    try:
        return services.update_definition(definition, _stored(definition) | changes, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/")
@blp.response(200, CommitteeIndicatorOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_definitions(pagination_parameters):
    """The committee's indicators, archived ones included, by name."""
    _require_committee()
    return page_of(select(CommitteeIndicator).order_by(CommitteeIndicator.name, CommitteeIndicator.id),
                   pagination_parameters)


@blp.route("/", methods=["POST"])
@blp.arguments(DefinitionSchema)
@blp.response(201, CommitteeIndicatorOutSchema)
@blp.doc(security=[BEARER])
def create_definition(data):
    """Define an indicator: a monthly figure entered by a named member, or a count of data with a filter."""
    _require_committee()
    try:
        return services.create_definition(data, current_user)
    except ValidationError as error:
        invalid(error)


@blp.route("/<int:indicator_id>")
@blp.response(200, CommitteeIndicatorOutSchema)
@blp.doc(security=[BEARER])
def get_definition(indicator_id):
    """One committee indicator."""
    _require_committee()
    return row_or_404(CommitteeIndicator, indicator_id)


@blp.route("/<int:indicator_id>", methods=["PATCH"])
@blp.arguments(DefinitionChangesSchema(partial=True))
@blp.response(200, CommitteeIndicatorOutSchema)
@blp.doc(security=[BEARER])
def edit_definition(data, indicator_id):
    """Change any field; `"active": false` archives it (kept, no longer shown), as the portal does.

    A new way of counting makes the recorded monthly values be computed again.
    """
    _require_committee()
    return _update(row_or_404(CommitteeIndicator, indicator_id), data)


@blp.route("/<int:indicator_id>/target", methods=["PUT"])
@blp.arguments(TargetInSchema)
@blp.response(200, CommitteeIndicatorOutSchema)
@blp.doc(security=[BEARER])
def set_target(data, indicator_id):
    """Set the value the indicator should reach (null removes the target)."""
    _require_committee()
    return _update(row_or_404(CommitteeIndicator, indicator_id), {"target_value": data["target_value"]})


@blp.route("/<int:indicator_id>/figures")
@blp.response(200, FigureOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_figures(indicator_id, pagination_parameters):
    """The monthly figures of a manual indicator, newest first."""
    definition = row_or_404(CommitteeIndicator, indicator_id)
    if not (services.may_enter_figures(definition, current_user, is_territory_admin())
            or has_role(GOVERNANCE_MEMBER)):
        abort(403, "Only the named reporter, territory admins and committee members read these figures.")
    return page_of(select(IndicatorFigure).filter_by(indicator_id=definition.id)
                   .order_by(IndicatorFigure.month.desc()), pagination_parameters)


@blp.route("/<int:indicator_id>/figures", methods=["POST"])
@blp.arguments(FigureSchema)
@blp.response(201, FigureOutSchema)
@blp.doc(security=[BEARER])
def enter_figure(data, indicator_id):
    """Enter (or correct) one month's figure: the named reporter or a territory admin only."""
    definition = row_or_404(CommitteeIndicator, indicator_id)
    try:
        return services.enter_figure(definition, data, current_user, is_territory_admin())
    except services.NotAllowed:
        abort(403, "Only the person named for this indicator and territory admins enter its figures.")
    except ValidationError as error:
        invalid(error)
