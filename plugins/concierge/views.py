"""Concierge operator pages: the catalogue, pickup points and slots, and the providers' round."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.plugin_api import (
    db,
    form_data,
    gettext,
    login_required,
    require_module,
    territory_blueprint,
)

from . import services
from .models import PROVIDER_CATEGORIES, CatalogItem
from .schemas import (
    CatalogItemSchema,
    PickupPointSchema,
    PickupSlotSchema,
    ProviderSchema,
)

bp = territory_blueprint("concierge", __name__, url_prefix="/concierge", template_folder="templates")

FORMS = {
    "provider": (ProviderSchema, services.create_provider),
    "item": (CatalogItemSchema, services.create_item),
    "pickup_point": (PickupPointSchema, services.create_pickup_point),
    "slot": (PickupSlotSchema, services.create_slot),
}


def _require_operator():
    return require_module(services.SERVICE_KEY, "operator")


def _manage_page(errors=None, values=None, form=None, status=200):
    return render_template(
        "concierge/manage.html", providers=services.list_providers(), points=services.list_pickup_points(),
        categories=PROVIDER_CATEGORIES, errors=errors or {}, values=values or {}, failed_form=form,
    ), status


@bp.get("/manage")
@login_required
def manage():
    _require_operator()
    return _manage_page()


@bp.post("/manage/<form>")
@login_required
def create(form):
    """Add a provider, a catalogue item, a pickup point or a slot; field errors keep the form filled."""
    _require_operator()
    if form not in FORMS:
        abort(404)
    schema, create_row = FORMS[form]
    values = form_data()
    try:
        create_row(schema().load(values))
    except ValidationError as error:
        db.session.rollback()
        return _manage_page(error.messages, values, form, 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("concierge.manage"))


@bp.post("/items/<int:item_id>/toggle")
@login_required
def toggle_item(item_id):
    _require_operator()
    item = db.session.scalar(select(CatalogItem).filter_by(id=item_id))
    if item is None:
        abort(404)
    services.set_item_active(item, not item.active)
    return redirect(url_for("concierge.manage"))


@bp.get("/round")
@login_required
def round_page():
    """What each provider collects at which pickup point and slot over the next two weeks."""
    _require_operator()
    try:
        start = date.fromisoformat(request.args["start"]) if request.args.get("start") else None
    except ValueError:
        start = None
    first, last = services.week_window(start)
    provider_id = request.args.get("provider", type=int)
    return render_template("concierge/round.html", rows=services.round_lines(first, last, provider_id),
                           providers=services.list_providers(), provider_id=provider_id, first=first, last=last)
