"""API for needs intake: the board, expressing and supporting a need ("we have it too"), and what admins do
with them: merge duplicates, group needs into collective needs, and put one past the threshold on the agenda."""
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort as api_abort
from marshmallow import ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coopserv.accounts.access import employer, is_territory_admin, referent_organizations
from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.fields import UtcDateTime, invalid, page_of, row_or_404
from coopserv.api.governance import AgendaItemOutSchema, with_tally
from coopserv.extensions import db
from coopserv.needs import services
from coopserv.needs.models import CollectiveNeed, Need, NeedSupport
from coopserv.needs.schemas import CollectiveNeedSchema, MergeSchema, NeedSchema, SupportSchema
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


class CollectiveNeedOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    need_ids = fields.Function(lambda row: [need.id for need in row["collective"].needs])
    companies = fields.Integer(metadata={"description": "Organizations concerned, counted once each."})
    employees = fields.Integer(metadata={"description": "Employees concerned, the threshold's other measure."})
    flagged_at = UtcDateTime(allow_none=True, metadata={
        "description": "When it passed the territory's threshold (it may then go on the committee's agenda)."})
    created_at = UtcDateTime()


class CollectiveMemberSchema(Schema):
    need_id = fields.Integer(required=True)


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


@blp.route("/<int:need_id>/merge", methods=["POST"])
@blp.arguments(MergeSchema)
@blp.response(200, NeedOutSchema)
@blp.doc(security=[BEARER])
def merge(data, need_id):
    """Merge a duplicate into another need (territory admins): its author and supporters now support the target."""
    require_role(TERRITORY_ADMIN)
    duplicate = row_or_404(Need, need_id)
    target = db.session.scalar(select(Need).filter_by(id=data["target_id"]))
    try:
        if target is None:
            raise ValidationError({"target_id": [_("Choose another need to merge into.")]})
        target = services.merge(duplicate, target, current_user)
    except ValidationError as error:
        invalid(error)
    return _row(target, 1 + len(target.supports), services.weight_of(target))


# -- collective needs ------------------------------------------------------------
def _collective_options():
    """What CollectiveNeedOutSchema adds up, one statement per collection (no query per need or support)."""
    needs = selectinload(CollectiveNeed.needs)
    return (needs.joinedload(Need.organization),
            needs.selectinload(Need.supports).joinedload(NeedSupport.organization))


def _collective_row(collective):
    totals = services.breakdown(collective)
    return {"collective": collective, "id": collective.id, "title": collective.title,
            "description": collective.description, "companies": totals.companies, "employees": totals.employees,
            "flagged_at": collective.flagged_at, "created_at": collective.created_at}


def _collective(collective_id):
    return row_or_404(CollectiveNeed, collective_id, *_collective_options())


@blp.route("/collective")
@blp.response(200, CollectiveNeedOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_collectives(pagination_parameters):
    """Collective needs, those past the threshold first, then the newest."""
    query = select(CollectiveNeed).order_by(CollectiveNeed.flagged_at.is_(None), CollectiveNeed.id.desc())
    return [_collective_row(c) for c in page_of(query, pagination_parameters, *_collective_options())]


@blp.route("/collective", methods=["POST"])
@blp.arguments(CollectiveNeedSchema)
@blp.response(201, CollectiveNeedOutSchema)
@blp.doc(security=[BEARER])
def create_collective(data):
    """Group needs into a collective need (territory admins); it is checked against the threshold at once."""
    require_role(TERRITORY_ADMIN)
    try:
        collective = services.create_collective(data, current_user)
    except ValidationError as error:
        invalid(error)
    return _collective_row(_collective(collective.id))


@blp.route("/collective/<int:collective_id>")
@blp.response(200, CollectiveNeedOutSchema)
@blp.doc(security=[BEARER])
def get_collective(collective_id):
    """One collective need with its needs and its weight."""
    return _collective_row(_collective(collective_id))


@blp.route("/collective/<int:collective_id>/needs", methods=["POST"])
@blp.arguments(CollectiveMemberSchema)
@blp.response(200, CollectiveNeedOutSchema)
@blp.doc(security=[BEARER])
def add_to_collective(data, collective_id):
    """Add a need to a collective need (territory admins); it may then pass the threshold."""
    require_role(TERRITORY_ADMIN)
    collective = row_or_404(CollectiveNeed, collective_id)
    need = db.session.scalar(select(Need).filter_by(id=data["need_id"]))
    if need is None or need.status == "merged":
        invalid(ValidationError({"need_id": [_("Choose one of the proposed values.")]}))
    services.add_to_collective(collective, need, current_user)
    return _collective_row(_collective(collective.id))


@blp.route("/collective/<int:collective_id>/agenda", methods=["POST"])
@blp.response(201, AgendaItemOutSchema)
@blp.alt_response(200, schema=AgendaItemOutSchema, description="It was already on the next meeting's agenda.")
@blp.alt_response(409, schema=ApiErrorSchema,
                  description="It has not passed the threshold, or no committee meeting is planned.")
@blp.doc(security=[BEARER])
def put_on_agenda(collective_id):
    """Put a collective need past the threshold on the next committee meeting's agenda (once; admins and the
    committee's members), as the portal's one-click action does."""
    from coopserv.governance import services as governance

    if not (is_territory_admin() or governance.is_committee_member(current_user)):
        abort(403, "Only territory admins and committee members put a need on the agenda.")
    collective = row_or_404(CollectiveNeed, collective_id)
    already = collective.flagged_at is not None and governance.upcoming_item_for(collective) is not None
    try:
        item = governance.put_collective_on_agenda(collective, current_user)
    except ValidationError as error:
        invalid(error, 409)
    return with_tally(item), 200 if already else 201
