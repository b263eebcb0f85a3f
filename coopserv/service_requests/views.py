"""Request pages: the service form, my requests, a request's timeline, the operator queue."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from coopserv.accounts.access import (
    can_operate,
    employer,
    is_confidential,
    is_territory_admin,
    operated_module_ids,
)
from coopserv.extensions import db
from coopserv.modules.services import availability, get_module
from coopserv.pagination import page_keys
from coopserv.plugin_host import service_type
from coopserv.service_requests import services
from coopserv.service_requests.models import ServiceRequest, StatusChange
from coopserv.web import (
    form_data,
    is_htmx,
    redirect_after_post,
    json_error,
    member_required,
    render_page,
    territory_blueprint,
    wants_json,
)

bp = territory_blueprint("requests", __name__)


def _usable_module(service_key):
    module = get_module(service_key)
    if module is None or not module.enabled or service_type(module.service_key) is None:
        abort(404)
    return module


def _form_context(module, values=None, errors=None, status=None):
    kind = service_type(module.service_key)
    context = dict(module=module, kind=kind, values=values or {}, errors=errors or {}, status=status)
    extra = kind.request_form_context(module)  # None when the plugin's callback failed (logged)
    context.update(extra if extra is not None else {"form_unavailable": True})
    return context


@bp.get("/services/<service_key>")
@member_required
def service_page(service_key):
    """Describe a service and show its request form when the person may use it."""
    module = _usable_module(service_key)
    status = availability(module, employer())
    if not status.visible:
        abort(404)
    return render_template("requests/service.html", **_form_context(module, status=status))


@bp.post("/services/<service_key>/validate")
@member_required
def validate(service_key):
    """Check the form as it is being filled (htmx), storing nothing."""
    module = _usable_module(service_key)
    errors = {}
    try:
        services.validate_payload(module, form_data())
    except ValidationError as error:
        errors = error.messages
    return render_page("requests/service.html", "requests/_form.html",
                       **_form_context(module, values=form_data(), errors=errors, status=availability(module, employer())))


@bp.post("/services/<service_key>/requests")
@member_required
def submit(service_key):
    """Store a request, or answer field errors (HTML or JSON) and store nothing."""
    module = _usable_module(service_key)
    values = form_data()
    try:
        created = services.submit_request(module, current_user, employer(), values)
    except services.RequestRefused as refused:
        if wants_json():
            return json_error(403, refused.message)
        flash(refused.message, "error")
        return render_template("requests/service.html", **_form_context(module, values, status=availability(module, employer()))), 403
    except ValidationError as error:
        if wants_json():
            return json_error(422, _("Some fields are not valid."), error.messages)
        return render_page("requests/service.html", "requests/_form.html", http_status=422,
                           **_form_context(module, values, error.messages, availability(module, employer())))
    if wants_json():
        return {"id": created.id, "status": created.status, "url": url_for("requests.detail", request_id=created.id)}, 201
    flash(_("Your request %(ref)s was sent.", ref=created.reference), "success")
    return redirect_after_post(url_for("requests.detail", request_id=created.id))


@bp.get("/requests")
@member_required
def mine():
    """A person's requests, newest first, 25 a page (by key)."""
    before, after = page_keys()
    page = services.my_requests(current_user.id, before, after)
    return render_template("requests/mine.html", requests=page.rows, service_type=service_type, page=page)


def _visible_request(request_id):
    """Load a request of this territory that the person may see: theirs, or one they operate.

    With its module, people and history in two statements: the page shows them all.
    """
    service_request = db.session.scalar(
        select(ServiceRequest).filter_by(id=request_id)
        .options(joinedload(ServiceRequest.module), joinedload(ServiceRequest.requester),
                 joinedload(ServiceRequest.organization),
                 selectinload(ServiceRequest.history).joinedload(StatusChange.actor)))
    if service_request is None:
        abort(404)
    if service_request.requester_id != current_user.id and not can_operate(service_request.module):
        abort(403)
    return service_request


@bp.get("/requests/<int:request_id>")
@login_required
def detail(request_id):
    service_request = _visible_request(request_id)
    may_operate = can_operate(service_request.module)
    kind = service_type(service_request.module.service_key)
    return render_page("requests/detail.html", "requests/_detail.html", request_=service_request, kind=kind,
                       transitions=services.allowed_transitions(service_request, current_user, may_operate),
                       may_operate=may_operate)


@bp.post("/requests/<int:request_id>/transition")
@login_required
def transition(request_id):
    """Apply a workflow transition; an illegal one is refused with a clear message."""
    service_request = _visible_request(request_id)
    may_operate = can_operate(service_request.module)
    values = form_data()
    name = values.get("transition") if isinstance(values.get("transition"), str) else ""
    comment = (request.form.get("comment") or "").strip()[:1000]
    try:
        services.apply_transition(service_request, name, current_user, may_operate, comment)
    except services.IllegalTransition as illegal:
        if wants_json():
            return json_error(409, illegal.message)
        flash(illegal.message, "error")
        status = 409
    else:
        if wants_json():
            return {"id": service_request.id, "status": service_request.status}
        status = 200
    kind = service_type(service_request.module.service_key)
    if status == 200:
        flash(_("%(ref)s is now “%(status)s”.", ref=service_request.reference,
                status=_(kind.states.get(service_request.status, service_request.status))), "success")
    if request.form.get("from") == "queue":
        if not is_htmx():
            return redirect(url_for("requests.queue", service_key=service_request.module.service_key))
        # The row and the status counts above the table change together.
        return render_page("requests/queue.html", "requests/_queue_row_response.html", http_status=status,
                           row=service_request, kind=kind, module=service_request.module,
                           counts=services.status_counts(service_request.module),
                           transitions=services.allowed_transitions(service_request, current_user, may_operate))
    if status == 200 and not is_htmx():
        return redirect(url_for("requests.detail", request_id=service_request.id))
    return render_page("requests/detail.html", "requests/_detail.html", http_status=status, request_=service_request,
                       kind=kind, transitions=services.allowed_transitions(service_request, current_user, may_operate),
                       may_operate=may_operate)


@bp.get("/operator")
@login_required
def operator_home():
    """Send an operator to their module's queue (or list them when they work on several)."""
    ids = operated_module_ids()
    from coopserv.modules.services import list_modules

    modules = [m for m in list_modules(enabled_only=False) if m.id in ids or can_operate(m)
               or is_territory_admin()]
    if not modules:
        abort(403)
    if len(modules) == 1:
        return redirect(url_for("requests.queue", service_key=modules[0].service_key))
    return render_template("requests/operator_home.html", modules=modules, service_type=service_type)


@bp.get("/operator/<service_key>")
@login_required
def queue(service_key):
    """The operator's queue, filtered by status; htmx swaps only the table."""
    module = get_module(service_key)
    if module is None or service_type(service_key) is None:
        abort(404)
    kind = service_type(service_key)
    if not can_operate(module):
        if is_territory_admin() and is_confidential(module):
            # A confidential service: the admin follows where requests stand, never what they say.
            return render_template("requests/queue_counts.html", module=module, kind=kind,
                                   counts=services.status_counts(module))
        abort(403)
    status = request.args.get("status") or None
    if status is not None and status not in kind.states:
        status = None
    before, after = page_keys()
    page = services.queue(module, status, before, after, per_page=25)
    counts = services.status_counts(module)
    transitions = {row.id: services.allowed_transitions(row, current_user, True) for row in page.rows}
    return render_page("requests/queue.html", "requests/_queue_table.html", module=module, kind=kind, rows=page.rows,
                       total=counts.get(status, 0) if status else sum(counts.values()), page=page, status=status,
                       transitions=transitions, counts=counts)
