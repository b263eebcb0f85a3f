"""Mobility pages: an employee's commutes, proposals, crews and bookings; the operator's set-up."""
from flask import abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from coopserv.plugin_api import (
    current_user,
    db,
    form_data,
    gettext,
    is_htmx,
    json_error,
    login_required,
    ngettext,
    render_page,
    require_module,
    safe_redirect_target,
    territory_blueprint,
    wants_json,
)

from . import services
from .models import BIKE_KINDS
from .schemas import (
    AnswerSchema,
    BikeBookingSchema,
    BikePoolSchema,
    BusinessParkSchema,
    ShuttleBookingSchema,
    ShuttleRunSchema,
    TownSchema,
)

bp = territory_blueprint("mobility", __name__, url_prefix="/mobility", template_folder="templates")

FORMS = {
    "park": (BusinessParkSchema, services.create_park),
    "town": (TownSchema, services.create_town),
    "shuttle_run": (ShuttleRunSchema, services.create_shuttle_run),
    "bike_pool": (BikePoolSchema, services.create_bike_pool),
}


def _require_operator():
    return require_module(services.SERVICE_KEY, "operator")


def _require_user():
    """The module, when the signed-in person may use it (stage, pilots and access rules of the core)."""
    return require_module(services.SERVICE_KEY, "user")


def _refused(message, status=409):
    if wants_json():
        return json_error(status, message)
    flash(message, "error")
    return redirect(url_for("mobility.home"))


def _home_page(module, errors=None, failed_form=None, status=200):
    config = services.module_config(module)
    return render_page(
        "mobility/home.html", "mobility/_proposals_and_crews.html", http_status=status, module=module, config=config,
        commutes=services.my_commutes(current_user.id), proposals=services.my_proposals(current_user.id),
        crews=services.my_crews(current_user.id),
        runs=services.upcoming_runs() if config["shuttle_enabled"] else [],
        pools=services.list_pools() if config["bikes_enabled"] else [],
        errors=errors or {}, failed_form=failed_form,
    )


@bp.get("/")
@login_required
def home():
    return _home_page(_require_user())


@bp.post("/proposals/<int:proposal_id>/answer")
@login_required
def answer(proposal_id):
    """Accept or decline a proposal; when both sides accept, the crew forms."""
    module = _require_user()
    proposal = services.proposal_of(proposal_id, current_user.id)
    if proposal is None:
        abort(404)
    try:
        data = AnswerSchema().load(form_data())
        services.answer_proposal(proposal, current_user, data["answer"])
    except ValidationError as error:
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        abort(400)
    except services.BookingRefused as refused:
        return _refused(refused.message)
    if wants_json():
        return {"id": proposal.id, "status": proposal.status, "crew_id": proposal.crew_id}
    if is_htmx():
        return _home_page(module)  # the proposals partial, swapped in place, and the crews out of band
    flash(gettext("Your answer was recorded."), "success")
    return redirect(url_for("mobility.home"))


def _book(load_row, schema, book, enabled_key):
    module = _require_user()
    if not services.module_config(module)[enabled_key]:
        abort(404)
    row = load_row()
    if row is None:
        abort(404)
    try:
        data = schema().load(form_data())
        booking = book(row, data)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _home_page(module, error.messages, enabled_key, 422)
    except services.BookingRefused as refused:
        return _refused(refused.message)
    if wants_json():
        return {"id": booking.id}, 201
    flash(gettext("Booked."), "success")
    return redirect(url_for("mobility.home"))


@bp.post("/shuttle/<int:run_id>/book")
@login_required
def book_shuttle(run_id):
    return _book(lambda: services.get_run(run_id), ShuttleBookingSchema,
                 lambda run, data: services.book_shuttle(run, current_user, data["seats"]), "shuttle_enabled")


@bp.post("/bikes/<int:pool_id>/book")
@login_required
def book_bike(pool_id):
    return _book(lambda: services.get_pool(pool_id), BikeBookingSchema,
                 lambda pool, data: services.book_bike(pool, current_user, data["starts_at"], data["ends_at"]),
                 "bikes_enabled")


def _manage_page(module, errors=None, values=None, form=None, status=200, matched=None):
    return render_template(
        "mobility/manage.html", module=module, parks=services.active_parks(), towns=services.list_towns(),
        towns_to_add=services.towns_to_add(), proposed_parks=services.proposed_park_names(),
        runs=services.upcoming_runs(), pools=services.list_pools(), coverage={name: (employees, riders) for name, employees, riders in services.coverage_by_park()},
        bike_kinds=BIKE_KINDS, errors=errors or {}, values=values or {}, failed_form=form, matched=matched,
    ), status


@bp.get("/manage")
@login_required
def manage():
    return _manage_page(_require_operator())


@bp.post("/manage/<form>")
@login_required
def create(form):
    """Add a park, a town, a shuttle run or a bike pool; field errors keep the form filled."""
    module = _require_operator()
    if form not in FORMS:
        abort(404)
    schema, create_row = FORMS[form]
    values = form_data()
    try:
        create_row(schema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _manage_page(module, error.messages, values, form, 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("mobility.manage"))


def _places_page(module, errors=None, values=None, status=200):
    return render_template(
        "mobility/places.html", module=module, parks=services.active_parks(), towns=services.list_towns(),
        proposed_parks=services.proposed_park_names(), towns_to_add=services.towns_to_add(),
        errors=errors or {}, values=values or {}, next_page=request.values.get("next", ""),
    ), status


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _load_places(values, towns_to_add):
    """The parks and towns the places form gives a point to, as (field, data) pairs, and field errors.

    Rows left without a point are skipped. Errors are keyed by the form's own field names, so each
    shows beside the input it concerns.
    """
    rows = []  # (schema, point field, name field or None, data)
    for index in range(len(values)):
        if f"park-{index}-name" not in values:
            break
        rows.append((BusinessParkSchema, f"park-{index}-point", None, {"name": values[f"park-{index}-name"]}))
    rows.append((BusinessParkSchema, "park-new-point", "park-new-name", {"name": values.get("park-new-name")}))
    for town in towns_to_add:
        rows.append((TownSchema, f"town-{town.insee_code}-point", None, {"name": town.name}))
    if not towns_to_add:
        rows.append((TownSchema, "town-new-point", "town-new-name",
                     {"name": values.get("town-new-name"), "postcode": values.get("town-new-postcode")}))
    parks, towns, errors = [], [], {}
    for schema, point_field, name_field, data in rows:
        if _blank(values.get(point_field)) and (name_field is None or _blank(values.get(name_field))):
            continue
        try:
            loaded = schema().load({**data, "point": values.get(point_field)})
        except ValidationError as error:
            for key, messages in error.messages.items():
                errors[name_field if key == "name" and name_field else point_field] = messages
            continue
        (parks if schema is BusinessParkSchema else towns).append((name_field or point_field, loaded))
    if not (parks or towns or errors):
        first = next((point for _schema, point, _name, _data in rows), "park-new-point")
        errors[first] = [gettext("Give at least one place its point.")]
    return parks, towns, errors


@bp.route("/places", methods=["GET", "POST"])
@login_required
def places():
    """Business parks and towns given their point in one form: what carpooling needs before employees use it.

    Parks typed on the organizations and the territory's official towns are listed, each with one
    point field to paste; the page returns to ``next`` (the service or project page) once saved.
    """
    module = _require_operator()
    if request.method == "GET":
        return _places_page(module)
    values = form_data()
    parks, towns, errors = _load_places(values, services.towns_to_add())
    if not errors:
        try:
            added = services.add_places(parks, towns)
        except ValidationError as error:
            errors = error.messages
    if errors:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), errors)
        return _places_page(module, errors, values, 422)
    if wants_json():
        return {"added": added}, 201
    flash(ngettext("%(num)d place saved.", "%(num)d places saved.", added), "success")
    return redirect(safe_redirect_target(values.get("next"), "mobility.manage"))


@bp.post("/manage/match")
@login_required
def match():
    """Run matching over every published commute of the territory and store the new proposals."""
    module = _require_operator()
    found, created = services.refresh_proposals(module)
    if wants_json():
        return {"proposals": found, "created": created}
    flash(gettext("%(found)s proposals found, %(created)s new.", found=found, created=created), "success")
    return redirect(url_for("mobility.manage"))
