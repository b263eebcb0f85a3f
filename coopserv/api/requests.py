"""API for service requests: create with the plugin's schema, read, list, apply a transition."""
from flask import abort, request, url_for
from flask_login import current_user
from flask_smorest import abort as api_abort
from marshmallow import ValidationError
from sqlalchemy import func, select, true
from sqlalchemy.orm import selectinload

from coopserv.accounts.access import (
    can_operate,
    confidential_service_keys,
    employer,
    is_territory_admin,
    operated_module_ids,
)
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import territory_api_blueprint
from coopserv.api.common import MAX_OFFSET
from coopserv.api.schemas import (
    RequestCreateSchema,
    RequestQuerySchema,
    ServiceRequestSchema,
    TransitionSchema,
)
from coopserv.extensions import db
from coopserv.modules.models import ServiceModule
from coopserv.modules.services import get_module, territory_modules
from coopserv.plugin_host import service_type
from coopserv.service_requests import services
from coopserv.service_requests.models import ServiceRequest
from coopserv.rollups.services import request_total_query
from coopserv.tenancy import current_territory_id

blp = territory_api_blueprint("api_requests", __name__, "/requests", "Service requests.")


def _with_transitions(request):
    request.allowed_transitions = [t.name for t in services.allowed_transitions(
        request, current_user, can_operate(request.module))]
    return request


def _visible(request_id):
    request = db.session.scalar(select(ServiceRequest).filter_by(id=request_id))
    if request is None:
        abort(404)
    if request.requester_id != current_user.id and not can_operate(request.module):
        abort(403)
    return request


@blp.route("/")
@blp.arguments(RequestQuerySchema, location="query")
@blp.response(200, ServiceRequestSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_requests(filters, pagination_parameters):
    """Requests the token's owner may see: their own, and those of the modules they operate.

    Newest first. Page with ``before`` (the id of the last request received;
    the ``Link`` header gives the next page): each page costs the same however
    far it is. ``page`` still works but reads past every skipped row. The
    total in ``X-Pagination`` is exact, read from the rollup (see ``_total``).
    """
    territory_modules()
    modules = _modules_read_whole(filters)
    listed = select(ServiceRequest).join(ServiceModule, ServiceModule.id == ServiceRequest.module_id) \
        .where(ServiceRequest.territory_id == current_territory_id())
    if filters.get("service_key"):
        listed = listed.where(ServiceModule.service_key == filters["service_key"])
    if filters.get("status"):
        listed = listed.where(ServiceRequest.status == filters["status"])
    mine = ServiceRequest.requester_id == current_user.id
    query = listed.where(ServiceRequest.module_id.in_(modules) | mine if modules else mine)
    pagination_parameters.item_count = _total(listed.where(mine), modules, filters)
    before = filters.get("before")
    # Each row's module comes from the session: the territory's modules are loaded once per request.
    page = query.options(selectinload(ServiceRequest.history)) \
        .order_by(ServiceRequest.id.desc()).limit(pagination_parameters.page_size)
    page = page.where(ServiceRequest.id < before) if before is not None else \
        page.offset(pagination_parameters.first_item)
    far = before is None and pagination_parameters.first_item >= MAX_OFFSET  # empty, as every list's far pages
    rows = [] if far else db.session.scalars(page).all()
    headers = {}
    if len(rows) == pagination_parameters.page_size:
        arguments = {**request.args.to_dict(), "before": rows[-1].id}
        arguments.pop("page", None)
        headers["Link"] = f'<{url_for(request.endpoint, **arguments)}>; rel="next"'
    return [_with_transitions(row) for row in rows], headers


def _modules_read_whole(filters):
    """Ids of the modules whose every request the token's owner sees (beyond their own requests).

    Operators see their modules; territory admins every module but the confidential
    ones they do not operate; ``mine`` and plain requesters none.
    """
    if filters.get("mine"):
        return []
    operated = set(operated_module_ids())
    if is_territory_admin():
        hidden = set(confidential_service_keys())
        operated |= {module.id for module in territory_modules() if module.service_key not in hidden}
    if filters.get("service_key"):
        keyed = {module.id for module in territory_modules() if module.service_key == filters["service_key"]}
        operated &= keyed
    return sorted(operated)


def _total(own, modules, filters):
    """The list's exact total in one statement, whatever the volume.

    Whole modules are counted from the request rollup (a row per module, month and
    status); only the owner's own requests (``own``, filtered as the list) outside
    them are counted as rows, and a person's requests are few.
    """
    own_elsewhere = own.with_only_columns(ServiceRequest.id, maintain_column_froms=True) \
        .where(ServiceRequest.module_id.not_in(modules) if modules else true())
    total = select(func.count()).select_from(own_elsewhere.subquery()).scalar_subquery()
    if modules:
        total = total + request_total_query(modules, filters.get("status")).scalar_subquery()
    return db.session.scalar(select(total))


@blp.route("/", methods=["POST"])
@blp.arguments(RequestCreateSchema)
@blp.response(201, ServiceRequestSchema)
@blp.doc(security=[BEARER])
def create_request(data):
    """Submit a request; ``payload`` is validated by the service's own schema."""
    module = get_module(data["service_key"])
    if module is None or not module.enabled or service_type(module.service_key) is None:
        api_abort(422, message="Some fields are not valid.", errors={"service_key": ["No such service here."]})
    try:
        request = services.submit_request(module, current_user, employer(), data["payload"])
    except services.RequestRefused as refused:
        api_abort(403, message=refused.message)
    except ValidationError as error:
        api_abort(422, message="Some fields are not valid.", errors={"payload": error.messages})
    return _with_transitions(request)


@blp.route("/<int:request_id>")
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=[BEARER])
def get_request(request_id):
    """One request with its history and the transitions the token's owner may apply."""
    return _with_transitions(_visible(request_id))


@blp.route("/<int:request_id>/transitions", methods=["POST"])
@blp.arguments(TransitionSchema)
@blp.response(200, ServiceRequestSchema)
@blp.alt_response(409, schema=ApiErrorSchema,
                  description="This transition is not allowed from the request's status (the message says why).")
@blp.doc(security=[BEARER])
def apply_transition(data, request_id):
    """Move a request along its workflow; an illegal move answers 409 with the reason."""
    request = _visible(request_id)
    try:
        services.apply_transition(request, data["transition"], current_user, can_operate(request.module),
                                  data["comment"])
    except services.IllegalTransition as illegal:
        api_abort(409, message=illegal.message)
    return _with_transitions(request)
