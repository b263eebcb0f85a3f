"""API for service requests: create with the plugin's schema, read, list, apply a transition."""
from flask import abort, request, url_for
from flask_login import current_user
from flask_smorest import abort as api_abort
from marshmallow import ValidationError
from sqlalchemy import select
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
from coopserv.modules.services import get_module
from coopserv.plugin_host import service_type
from coopserv.service_requests import services
from coopserv.service_requests.models import ServiceRequest
from coopserv.sqlcompat import bounded_count
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
    total in ``X-Pagination`` is exact up to 10,000, estimated beyond.
    """
    query = select(ServiceRequest).join(ServiceModule, ServiceModule.id == ServiceRequest.module_id) \
        .where(ServiceRequest.territory_id == current_territory_id())
    if filters.get("mine") or not (is_territory_admin() or operated_module_ids()):
        query = query.where(ServiceRequest.requester_id == current_user.id)
    elif not is_territory_admin():
        query = query.where((ServiceRequest.module_id.in_(operated_module_ids()))
                            | (ServiceRequest.requester_id == current_user.id))
    else:
        # Territory admins read every service's requests except confidential ones they do not operate.
        hidden = confidential_service_keys()
        if hidden:
            query = query.where(ServiceModule.service_key.not_in(hidden)
                                | ServiceRequest.module_id.in_(operated_module_ids())
                                | (ServiceRequest.requester_id == current_user.id))
    if filters.get("service_key"):
        query = query.where(ServiceModule.service_key == filters["service_key"])
    if filters.get("status"):
        query = query.where(ServiceRequest.status == filters["status"])
    pagination_parameters.item_count = bounded_count(query)[0]
    before = filters.get("before")
    page = query.options(selectinload(ServiceRequest.history), selectinload(ServiceRequest.module)) \
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
