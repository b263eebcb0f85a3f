"""API for needs intake: list the board, express a need, support one ("we have it too")."""
from flask import abort
from flask_login import current_user
from flask_smorest import abort as api_abort
from marshmallow import ValidationError, fields
from sqlalchemy import select

from coopserv.accounts.access import employer, referent_organizations
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import territory_api_blueprint
from coopserv.extensions import db
from coopserv.needs import services
from coopserv.needs.models import Need
from coopserv.needs.schemas import NeedSchema, SupportSchema
from coopserv.schemas import Schema
from coopserv.timeutil import to_local

blp = territory_api_blueprint("api_needs", __name__, "/needs", "Needs intake.")


class NeedOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda row: row["need"].category.key if row["need"].category else None)
    status = fields.Function(lambda row: row["need"].status)
    scope = fields.Function(lambda row: row["need"].scope)
    business_park = fields.Function(lambda row: row["need"].business_park)
    urgency = fields.Function(lambda row: row["need"].urgency)
    supports = fields.Integer(metadata={"description": "Organizations and people who have it, the author included."})
    weight = fields.Integer(metadata={"description": "Employees concerned, the ranking key of the board."})
    created_at = fields.Function(lambda row: to_local(row["need"].created_at).isoformat(),
                                 metadata={"description": "ISO 8601 with the territory's offset."})


class BoardQuerySchema(Schema):
    category_id = fields.Integer()
    business_park = fields.String()
    size_band = fields.String()


def _row(need, supports, weight):
    return {"need": need, "id": need.id, "title": need.title, "description": need.description,
            "supports": supports, "weight": weight}


def _contributor():
    organization = employer()
    if organization is None:
        abort(403, "Only employees and company referents express or support needs.")
    return organization, any(o.id == organization.id for o in referent_organizations())


@blp.route("/")
@blp.arguments(BoardQuerySchema, location="query")
@blp.response(200, NeedOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_needs(filters, pagination_parameters):
    """The needs board, ranked by employees concerned, then by supports."""
    rows = services.board(filters.get("category_id"), filters.get("business_park"), filters.get("size_band"))
    pagination_parameters.item_count = len(rows)
    page = rows[pagination_parameters.first_item:pagination_parameters.last_item + 1]
    return [_row(r.need, r.supports, r.weight) for r in page]


@blp.route("/", methods=["POST"])
@blp.arguments(NeedSchema)
@blp.response(201, NeedOutSchema)
@blp.doc(security=[BEARER])
def create_need(data):
    """Express a need, for oneself or (company referents) for the company."""
    organization, referent = _contributor()
    try:
        need = services.submit_need(data, current_user, organization, referent)
    except ValidationError as error:
        db.session.rollback()
        api_abort(422, message="Some fields are not valid.", errors=error.messages)
    return _row(need, 1, services.weight_of(need))


@blp.route("/<int:need_id>/supports", methods=["POST"])
@blp.arguments(SupportSchema)
@blp.response(201, NeedOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The token's owner already supports this need.")
@blp.doc(security=[BEARER])
def support(data, need_id):
    """Say "we have it too"; a referent may give how many of the company's employees it concerns."""
    need = db.session.scalar(select(Need).filter_by(id=need_id))
    if need is None:
        abort(404)
    organization, referent = _contributor()
    try:
        services.support_need(need, current_user, organization, referent, data)
    except ValidationError as error:
        db.session.rollback()
        api_abort(409 if "_schema" in error.messages else 422, message=" ".join(map(str, error.messages.get("_schema", [])))
                  or "Some fields are not valid.", errors=error.messages)
    target = services.effective_need(need)
    db.session.refresh(target)
    return _row(target, 1 + len(target.supports), services.weight_of(target))
