"""The one place that writes service requests: submission and workflow transitions."""
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.modules.models import MONTHLY_REQUESTS, PLACES, ServiceModule
from coopserv.modules.services import availability, start_of_month
from coopserv.notifications.services import notify
from coopserv.pagination import keyset_page
from coopserv.plugin_host import plugin_host, service_type
from coopserv.rollups.services import request_counts
from coopserv.service_requests.models import ServiceRequest, StatusChange
from coopserv.timeutil import utcnow
from coopserv.urls import target


class RequestRefused(Exception):
    """The person may not submit this request; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class IllegalTransition(Exception):
    """A transition that the workflow or the actor's role does not allow."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def request_schema(module):
    """Return the plugin's request schema, bound to the module (``schema.module``)."""
    schema = service_type(module.service_key).request_schema()
    schema.module = module
    return schema


def validate_payload(module, raw):
    """Validate a request payload with the plugin's schema; raises marshmallow.ValidationError."""
    return request_schema(module).load(raw or {})


def submit_request(module, user, organization, raw_payload):
    """Validate and store a request, let the plugin store its rows, notify; all or nothing."""
    allowed = availability(module, organization)
    if not allowed.allowed:
        raise RequestRefused(allowed.reason)
    payload = validate_payload(module, raw_payload)
    kind = service_type(module.service_key)
    try:
        request = ServiceRequest(
            module_id=module.id,
            requester_id=user.id,
            organization_id=organization.id,
            status=kind.initial_state,
            payload=_jsonable(payload),
        )
        db.session.add(request)
        db.session.flush()
        request.history.append(StatusChange(from_status=None, to_status=kind.initial_state, actor_id=user.id))
        plugin_host().call_for_service("request_submitted", module.service_key, request=request, payload=payload)
        plugin_host().observe(db.session, request=request, change=request.history[0])
        notify(user.id, _l("Your request %(ref)s was received."), link_to=_request_target(request), ref=request.reference)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return request


def allowed_transitions(request, actor, may_operate):
    """Transitions ``actor`` may apply to ``request`` now."""
    kind = service_type(request.module.service_key)
    if kind is None:
        return []
    result = []
    for transition in kind.transitions_from(request.status):
        if ("operator" in transition.by and may_operate) or (
            "requester" in transition.by and actor is not None and actor.id == request.requester_id
        ):
            result.append(transition)
    return result


def apply_transition(request, transition_name, actor, may_operate, comment="", commit=True):
    """Move a request along its workflow, refusing illegal moves; all or nothing.

    With ``commit=False`` the move joins the caller's transaction (a plugin
    moving a request from inside a hook): it is flushed, and the caller
    commits or rolls back.
    """
    kind = service_type(request.module.service_key)
    transition = kind.transition(transition_name) if kind else None
    if transition is None:
        raise IllegalTransition(_("This action does not exist for this service."))
    current_label = _(kind.states.get(request.status, request.status))
    target_label = _(kind.states.get(transition.target, transition.target))
    if request.status not in transition.sources:
        raise IllegalTransition(
            _("A request that is “%(current)s” cannot become “%(target)s”.", current=current_label, target=target_label)
        )
    if transition not in allowed_transitions(request, actor, may_operate):
        raise IllegalTransition(_("You are not allowed to do this on this request."))
    old_status = request.status
    try:
        # Compare-and-set: two operators clicking at once cannot both move the request.
        moved = db.session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == request.id, ServiceRequest.status == old_status)
            .values(status=transition.target, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise IllegalTransition(_("This request was changed by someone else meanwhile; reload it."))
        db.session.refresh(request)
        change = StatusChange(from_status=old_status, to_status=transition.target,
                              actor_id=actor.id if actor else None, comment=comment or "")
        request.history.append(change)
        db.session.flush()
        plugin_host().call_for_service("request_status_changed", request.module.service_key,
                                       request=request, change=change)
        plugin_host().observe(db.session, request=request, change=change)
        notify(request.requester_id, _l("Your request %(ref)s is now: %(status)s."), link_to=_request_target(request),
               ref=request.reference, status=kind.states.get(transition.target, transition.target))
        mail_request_transition(request, transition, comment)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except Exception:
        if commit:
            db.session.rollback()
        raise
    return change


def close_open_requests(module, reason, actor=None):
    """Close every request of a stopping module that is not yet final, telling each requester why.

    Runs in the caller's transaction. Each request moves to the core's
    ``service_stopped`` state with a history entry carrying ``reason`` (a
    message marked with _l); returns the closed requests, their previous
    status in ``history[-1].from_status``.
    """
    from coopserv.service_types import SERVICE_STOPPED

    kind = service_type(module.service_key)
    finals = kind.final_states if kind is not None else (SERVICE_STOPPED,)
    requests = list(db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.module_id == module.id, ServiceRequest.status.not_in(finals))
        .options(selectinload(ServiceRequest.history)).order_by(ServiceRequest.id)))
    label = kind.label if kind is not None else module.service_key
    comment = _(reason)
    for request in requests:
        change = StatusChange(from_status=request.status, to_status=SERVICE_STOPPED,
                              actor_id=actor.id if actor else None, comment=comment)
        request.status = SERVICE_STOPPED
        request.updated_at = utcnow()
        request.history.append(change)
        notify(request.requester_id, _l("Your request %(ref)s is closed: the service “%(service)s” stopped. "
                                        "%(reason)s"), link_to=_request_target(request),
               ref=request.reference, service=label, reason=reason)
    db.session.flush()
    return requests


def mail_request_transition(request, transition, comment=""):
    """E-mail the requester about a move their plugin marked ``Transition(email=True)`` (after the commit)."""
    if not transition.email:
        return None
    from coopserv.accounts.models import User
    from coopserv.emails.categories import REQUESTS
    from coopserv.emails.services import send_email

    kind = service_type(request.module.service_key)
    return send_email(db.session.get(User, request.requester_id) if request.requester_id else None, REQUESTS,
                      transition.email_template or "emails/request_status.html", link_to=_request_target(request),
                      ref=request.reference, service=str(kind.label), comment=comment or "",
                      status=str(kind.states.get(transition.target, transition.target)))


def organization_usage(module_id, organization_id, quota_kind):
    """Count what an organization used of its quota: requests this month, or open requests (from the rollup)."""
    module = db.session.get(ServiceModule, module_id)
    return usage_index(organization_id, [module]).get((module_id, quota_kind), 0)


def usage_index(organization_id, modules):
    """Both usage counts for one organization over many modules: one read of the request rollup.

    The rollup holds requests by module, organization, month and status, so
    the cost is a few rows per month whatever the number of requests.
    """
    if organization_id is None or not modules:
        return {}
    this_month = start_of_month().date()
    index = {(module.id, kind): 0 for module in modules for kind in (MONTHLY_REQUESTS, PLACES)}
    finals = {module.id: set(_final_states(module)) for module in modules}
    for module_id, month, status, count in request_counts([module.id for module in modules], organization_id):
        if month == this_month:
            index[(module_id, MONTHLY_REQUESTS)] += count
        if status not in finals[module_id]:
            index[(module_id, PLACES)] += count
    return index


def _final_states(module):
    kind = service_type(module.service_key)
    return kind.final_states if kind else ()


def my_requests(user_id, before=None, after=None, per_page=25):
    """A page of a person's requests, newest first (a ``KeysetPage``: by id, never by offset)."""
    query = select(ServiceRequest).filter_by(requester_id=user_id).options(selectinload(ServiceRequest.module))
    return keyset_page(query, ServiceRequest.id, before, after, per_page)


def queue(module, status=None, before=None, after=None, per_page=25):
    """The operator's queue: a ``KeysetPage`` of a module's requests, newest first, optionally by status.

    Counts to show beside it come from ``status_counts`` (the rollup), never from counting rows.
    """
    query = select(ServiceRequest).filter_by(module_id=module.id).options(
        selectinload(ServiceRequest.requester), selectinload(ServiceRequest.organization))
    if status:
        query = query.filter_by(status=status)
    return keyset_page(query, ServiceRequest.id, before, after, per_page)


def status_counts(module):
    """Requests of the module by status, from the rollup (months × statuses rows, not requests)."""
    counts = {}
    for _module_id, _month, status, count in request_counts([module.id]):
        counts[status] = counts.get(status, 0) + count
    return {status: count for status, count in counts.items() if count}


def _request_target(request):
    return target("requests.detail", request_id=request.id)


def _jsonable(value):
    """Turn dates and decimals of a validated payload into JSON-storable values."""
    import datetime
    import decimal

    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
