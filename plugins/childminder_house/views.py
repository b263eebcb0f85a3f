"""Childminder house operator pages: houses, childminders, sponsors, occupancy grid, waiting list, offers."""
from flask import abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from coopserv.plugin_api import (
    db,
    form_data,
    gettext,
    json_error,
    login_required,
    render_page,
    require_module,
    territory_blueprint,
    wants_json,
)

from . import services
from .hours import input_value, spoken
from .schemas import (
    WEEKDAY_NAMES,
    ChildminderSchema,
    HouseSchema,
    OccupancyDateSchema,
    SponsorshipSchema,
    rule_of,
)

bp = territory_blueprint("childminder_house", __name__, url_prefix="/childminder-house", template_folder="templates")


def _require_operator():
    return require_module(services.SERVICE_KEY, "operator")


def _house_or_404(house_id):
    house = services.get_house(house_id)
    if house is None:
        abort(404)
    return house


def _childminder_or_404(childminder_id):
    childminder = services.get_childminder(childminder_id)
    if childminder is None:
        abort(404)
    return childminder


def _form_values(obj, days_attr):
    """Form values of a house or childminder (times as HH:MM, days as a list)."""
    values = {name: getattr(obj, name) for name in ("name", "address", "max_children") if hasattr(obj, name)}
    values[days_attr] = obj.weekdays
    for name in ("opens_at", "closes_at", "starts_at", "ends_at"):
        if hasattr(obj, name):
            values[name] = input_value(getattr(obj, name))
    return values


def _invalid(template, errors, status=422, **context):
    db.session.rollback()
    if wants_json():
        return json_error(status, gettext("Some fields are not valid."), errors)
    return render_template(template, errors=errors, weekday_names=WEEKDAY_NAMES, **context), status


def _manage_page(errors=None, values=None, failed_form=None, status=200):
    from coopserv.plugin_api import list_organizations

    return render_template("childminder_house/manage.html", houses=services.list_houses(), errors=errors or {},
                           values=values or {}, failed_form=failed_form, weekday_names=WEEKDAY_NAMES,
                           organizations=list_organizations(), clock=spoken), status


@bp.get("/manage")
@login_required
def manage():
    _require_operator()
    return _manage_page()


@bp.post("/houses")
@login_required
def create_house():
    _require_operator()
    values = form_data()
    try:
        house = services.create_house(HouseSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _manage_page(error.messages, values, "house", 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("childminder_house.house_page", house_id=house.id))


@bp.get("/houses/<int:house_id>")
@login_required
def house_page(house_id):
    """The house at a glance: occupancy grid on a day, waiting list in order, offers pending, sponsors."""
    _require_operator()
    house = _house_or_404(house_id)
    try:
        day = OccupancyDateSchema().load(request.args)["on"]
    except ValidationError:
        day = OccupancyDateSchema().load({})["on"]
    context = {"house": house, "day": day, "grid": services.occupancy_grid(house, day),
               "weekday_names": WEEKDAY_NAMES, "clock": spoken}
    config = services.module_config()
    return render_page("childminder_house/house.html", **context, rule=rule_of(config), config=config,
                       waiting=services.waiting_list(house), offers=services.pending_offers(house.id),
                       children=services.children_present(house.id, day),
                       sponsors=services.sponsorship_usage(house.id))


@bp.route("/houses/<int:house_id>/edit", methods=["GET", "POST"])
@login_required
def edit_house(house_id):
    _require_operator()
    house = _house_or_404(house_id)
    if request.method == "GET":
        return render_template("childminder_house/edit_house.html", house=house, values=_form_values(house, "opening_days"),
                               errors={}, weekday_names=WEEKDAY_NAMES)
    values = form_data()
    try:
        services.update_house(house, HouseSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        return _invalid("childminder_house/edit_house.html", error.messages, house=_house_or_404(house_id),
                        values=values)
    flash(gettext("Saved."), "success")
    return redirect(url_for("childminder_house.house_page", house_id=house_id))


@bp.post("/houses/<int:house_id>/childminders")
@login_required
def add_childminder(house_id):
    _require_operator()
    house = _house_or_404(house_id)
    values = form_data()
    try:
        services.add_childminder(house, ChildminderSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _manage_page(error.messages, values, f"childminder-{house_id}", 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("childminder_house.manage"))


@bp.route("/childminders/<int:childminder_id>/edit", methods=["GET", "POST"])
@login_required
def edit_childminder(childminder_id):
    _require_operator()
    childminder = _childminder_or_404(childminder_id)
    if request.method == "GET":
        return render_template("childminder_house/edit_childminder.html", childminder=childminder,
                               values=_form_values(childminder, "days"), errors={}, weekday_names=WEEKDAY_NAMES)
    values = form_data()
    try:
        services.update_childminder(childminder, ChildminderSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        return _invalid("childminder_house/edit_childminder.html", error.messages,
                        childminder=_childminder_or_404(childminder_id), values=values)
    flash(gettext("Saved."), "success")
    return redirect(url_for("childminder_house.manage"))


@bp.post("/childminders/<int:childminder_id>/remove")
@login_required
def remove_childminder(childminder_id):
    _require_operator()
    childminder = _childminder_or_404(childminder_id)
    try:
        services.remove_childminder(childminder)
    except ValidationError as error:
        db.session.rollback()
        message = " ".join(str(m) for messages in error.messages.values() for m in messages)
        if wants_json():
            return json_error(409, message, error.messages)
        flash(message, "error")
        return _manage_page(status=409)
    flash(gettext("Removed."), "success")
    return redirect(url_for("childminder_house.manage"))


@bp.post("/houses/<int:house_id>/sponsors")
@login_required
def set_sponsorship(house_id):
    _require_operator()
    house = _house_or_404(house_id)
    values = form_data()
    try:
        services.set_sponsorship(house, SponsorshipSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _manage_page(error.messages, values, f"sponsor-{house_id}", 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("childminder_house.manage"))
