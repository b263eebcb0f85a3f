"""Smart parking pages: operators' lots, spots and sensors; live availability; the entrance kiosk; the sensor API."""
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.plugin_api import (
    availability as module_availability,
    can_operate,
    csrf,
    db,
    employer,
    form_data,
    get_module,
    gettext,
    json_error,
    lazy_gettext,
    local_day_bounds,
    local_today,
    login_required,
    plugin_host,
    render_page,
    require_module,
    territory_blueprint,
    utcnow,
    wants_json,
)

from . import indicators, ingestion, services
from .labels import CATEGORY_LABELS, LOT_CATEGORY_LABELS, STATUS_LABELS, translated
from .models import LOT_CATEGORIES, SPOT_CATEGORIES, Device, Spot
from .schemas import (
    DeviceSchema,
    LotSchema,
    MqttMappingSchema,
    NgsiSubscriptionSchema,
    SensorBatchSchema,
    SpotIdsSchema,
    SpotRangeSchema,
    SpotSchema,
    read_spot_ids_csv,
    smart_parking_config,
)

bp = territory_blueprint("smart_parking", __name__, url_prefix="/smart-parking", template_folder="templates",
                         static_folder="static")

#: Header carrying a sensor's own secret key.
KEY_HEADER = "X-Sensor-Key"


@bp.context_processor
def _labels():
    return {"category_labels": translated(CATEGORY_LABELS), "status_labels": translated(STATUS_LABELS),
            "lot_category_labels": translated(LOT_CATEGORY_LABELS)}


# -- access -----------------------------------------------------------------------

def _module():
    return require_module(services.SERVICE_KEY, "any")


def _require_operator():
    return require_module(services.SERVICE_KEY, "operator")


def _require_user():
    """Operators, and members whose organization may use the module at its stage (pilots in prototype)."""
    return require_module(services.SERVICE_KEY, "user")


def home_panel(user):
    """The portal home panel: a link to the car parks' live availability, or nothing."""
    module = get_module(services.SERVICE_KEY)
    if user is None or module is None or not module.enabled:
        return []
    if not can_operate(module) and not module_availability(module, employer()).allowed:
        return []
    return [Markup(render_template("smart_parking/_home_panel.html"))]


def _lot_or_404(lot_id):
    lot = services.get_lot(lot_id)
    if lot is None:
        abort(404)
    return lot


# -- availability for employees -------------------------------------------------------

@bp.get("/")
@login_required
def index():
    module = _require_user()
    config = smart_parking_config(module)
    lots = [services.lot_availability(lot, config["nearly_full_percent"]) for lot in services.list_lots(True)]
    return render_template("smart_parking/index.html", lots=lots, may_operate=can_operate(module))


def _availability_with_alternatives(lot, config):
    found = services.lot_availability(lot, config["nearly_full_percent"])
    if found.nearly_full:
        found.alternatives = plugin_host().collect("mobility_alternatives",
                                                   business_park=lot.business_park or lot.name)
    return found


def _availability_json(found):
    """Counts as JSON; ``lot`` uses the attribute names of FIWARE OffStreetParking (GeoJSON location)."""
    def counts(c):
        return {"total": c.total, "free": c.free, "occupied": c.occupied, "reserved": c.reserved,
                "closed": c.closed, "unknown": c.unknown}

    lot = found.lot
    location = ({"type": "Point", "coordinates": [lot.longitude, lot.latitude]}
                if lot.latitude is not None else None)
    return {"lot": {"id": lot.id, "type": "OffStreetParking", "name": lot.name, "category": [lot.category],
                    "location": location, "totalSpotNumber": found.overall.total,
                    "availableSpotNumber": found.overall.free,
                    "occupancy": None if found.overall.occupancy_percent is None
                    else found.overall.occupancy_percent / 100},
            "overall": counts(found.overall), "occupancy_percent": found.overall.occupancy_percent,
            "nearly_full": found.nearly_full,
            "by_category": {category: counts(c) for category, c in found.by_category.items()},
            "alternatives": found.alternatives}


@bp.get("/lots/<int:lot_id>")
@login_required
def lot_page(lot_id):
    """Live free spots per category; htmx asks again every few seconds for the partial."""
    module = _require_user()
    lot = _lot_or_404(lot_id)
    config = smart_parking_config(module)
    found = _availability_with_alternatives(lot, config)
    if wants_json():
        return _availability_json(found)
    return render_page("smart_parking/lot.html", "smart_parking/_availability.html", found=found,
                       refresh=config["refresh_seconds"], may_operate=can_operate(module),
                       refresh_url=url_for("smart_parking.lot_page", lot_id=lot.id))


@bp.get("/kiosk/<token>")
def kiosk(token):
    """The screen at the lot's entrance: big numbers, no navigation, no sign-in (the URL holds a token)."""
    module = _module()
    lot = services.lot_for_kiosk(token)
    if lot is None:
        abort(404)
    config = smart_parking_config(module)
    found = _availability_with_alternatives(lot, config)
    return render_page("smart_parking/kiosk.html", "smart_parking/_kiosk.html", found=found,
                       refresh=config["refresh_seconds"], now=utcnow())


# -- operator pages ----------------------------------------------------------------------

@bp.get("/manage")
@login_required
def manage():
    _require_operator()
    return _manage_page()


def _manage_page(errors=None, values=None, status=200):
    return render_template("smart_parking/manage.html", lots=services.lots_overview(), errors=errors or {},
                           values=values or {}, lot_categories=LOT_CATEGORIES), status


@bp.post("/manage/lots")
@login_required
def create_lot():
    _require_operator()
    values = form_data()
    try:
        lot = services.create_lot(LotSchema().load(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _manage_page(error.messages, values, 422)
    if wants_json():
        return {"id": lot.id, "name": lot.name}, 201
    flash(gettext("Car park added."), "success")
    return redirect(url_for("smart_parking.lot_manage", lot_id=lot.id))


def _lot_manage_page(lot, module, errors=None, values=None, form=None, new_keys=(), status=200):
    config = smart_parking_config(module)
    lot = services.lot_with_equipment(lot.id)
    return render_template(
        "smart_parking/lot_manage.html", lot=lot, sensors=services.sensors_overview(lot, config["sensor_silence_minutes"]),
        reservations=services.upcoming_reservations(lot), errors=errors or {}, values=values or {}, failed_form=form,
        new_keys=new_keys, spot_categories=SPOT_CATEGORIES, lot_categories=LOT_CATEGORIES,
        kiosk_url=url_for("smart_parking.kiosk", token=lot.kiosk_token, _external=True),
        api_url=url_for("smart_parking.ingest_events", _external=True), key_header=KEY_HEADER,
        subscriptions=[item for item in services.list_subscriptions() if item.lot_id == lot.id],
        mappings=services.lot_mqtt_mappings(lot),
        notify_url=url_for("smart_parking_interop.ngsi_notify", _external=True),
    ), status


@bp.get("/lots/<int:lot_id>/manage")
@login_required
def lot_manage(lot_id):
    module = _require_operator()
    return _lot_manage_page(_lot_or_404(lot_id), module)


LOT_FORMS = {
    "lot": (LotSchema, services.update_lot),
    "spot": (SpotSchema, services.create_spot),
    "spot_range": (SpotRangeSchema, services.create_spot_range),
    "device": (DeviceSchema, services.create_device),
    "subscription": (NgsiSubscriptionSchema, lambda lot, data: services.create_subscription({**data, "lot_id": lot.id})),
    "mqtt_mapping": (MqttMappingSchema, services.create_mqtt_mapping),
    "spot_ids": (None, services.import_spot_ids),
}


def _spot_ids(values):
    """The lines of an import of spots' ids: a CSV file from the form, or a JSON list ``{"spots": [...]}``."""
    if request.is_json:
        spots = values.get("spots") if isinstance(values, dict) else None
        if not isinstance(spots, list) or not spots:
            raise ValidationError({"spots": [gettext("Send the spots as a JSON list.")]})
        return SpotIdsSchema(many=True).load(spots)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError({"file": [gettext("Choose a CSV file.")]})
    return read_spot_ids_csv(upload.read(1_000_001)[:1_000_000])


@bp.post("/lots/<int:lot_id>/manage/<form>")
@login_required
def lot_form(lot_id, form):
    """Edit the lot, add a spot, a range of spots or a sensor; field errors keep the form filled."""
    module = _require_operator()
    lot = _lot_or_404(lot_id)
    if form not in LOT_FORMS:
        abort(404)
    schema, write = LOT_FORMS[form]
    values = form_data()
    try:
        result = write(lot, schema().load(values) if schema else _spot_ids(values))
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, gettext("Some fields are not valid."), error.messages)
        return _lot_manage_page(lot, module, error.messages, values, form, status=422)
    if form in ("device", "subscription"):
        item, key = result
        return _lot_manage_page(lot, module, new_keys=[(item.name, key)])
    if form == "spot_ids" and wants_json():
        return {"changed": result}
    if form == "spot_range" and result:
        return _lot_manage_page(lot, module, new_keys=result)
    flash(gettext("Saved."), "success")
    return redirect(url_for("smart_parking.lot_manage", lot_id=lot.id))


def _spot_or_404(spot_id):
    spot = db.session.scalar(select(Spot).where(Spot.id == spot_id))
    if spot is None:
        abort(404)
    return spot


@bp.route("/spots/<int:spot_id>/edit", methods=["GET", "POST"])
@login_required
def edit_spot(spot_id):
    _require_operator()
    spot = _spot_or_404(spot_id)
    values, errors, status = {
        "ref": spot.ref, "category": spot.category, "device_id": spot.device_id,
        "latitude": spot.latitude, "longitude": spot.longitude, "ngsi_id": spot.ngsi_id,
        "sensor_id": spot.sensor_id}, {}, 200
    if request.method == "POST":
        values = form_data()
        try:
            services.update_spot(spot, SpotSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("smart_parking.lot_manage", lot_id=spot.lot_id))
    return render_template("smart_parking/spot_edit.html", spot=spot, values=values, errors=errors,
                           devices=spot.lot.devices, spot_categories=SPOT_CATEGORIES), status


@bp.post("/spots/<int:spot_id>/closure")
@login_required
def toggle_spot_closure(spot_id):
    _require_operator()
    spot = _spot_or_404(spot_id)
    services.set_spot_closed(spot, not spot.closed_by_operator)
    return redirect(url_for("smart_parking.lot_manage", lot_id=spot.lot_id))


@bp.post("/subscriptions/<int:subscription_id>/delete")
@login_required
def delete_subscription(subscription_id):
    """Forget an Orion subscription: its key stops working at once."""
    _require_operator()
    subscription = services.get_subscription(subscription_id)
    if subscription is None:
        abort(404)
    lot_id = subscription.lot_id
    services.delete_subscription(subscription)
    flash(gettext("Subscription deleted."), "success")
    return redirect(url_for("smart_parking.lot_manage", lot_id=lot_id) if lot_id else url_for("smart_parking.manage"))


@bp.post("/mqtt-mappings/<int:mapping_id>/delete")
@login_required
def delete_mqtt_mapping(mapping_id):
    _require_operator()
    mapping = services.get_mqtt_mapping(mapping_id)
    if mapping is None:
        abort(404)
    lot_id = mapping.lot_id
    services.delete_mqtt_mapping(mapping)
    flash(gettext("MQTT mapping deleted."), "success")
    return redirect(url_for("smart_parking.lot_manage", lot_id=lot_id))


def _device_or_404(device_id):
    device = db.session.scalar(select(Device).where(Device.id == device_id))
    if device is None:
        abort(404)
    return device


@bp.post("/sensors/<int:device_id>/renew-key")
@login_required
def renew_key(device_id):
    module = _require_operator()
    device = _device_or_404(device_id)
    key = services.renew_device_key(device)
    return _lot_manage_page(device.lot, module, new_keys=[(device.name, key)])


@bp.post("/sensors/<int:device_id>/toggle")
@login_required
def toggle_device(device_id):
    _require_operator()
    device = _device_or_404(device_id)
    services.set_device_active(device, not device.active)
    return redirect(url_for("smart_parking.lot_manage", lot_id=device.lot_id))


def _period():
    """The period asked in ?start=&end= (dates), by default the last 30 days including today."""
    today = local_today()
    try:
        start = date.fromisoformat(request.args["start"]) if request.args.get("start") else today - timedelta(days=29)
        end = date.fromisoformat(request.args["end"]) if request.args.get("end") else today
    except ValueError:
        start, end = today - timedelta(days=29), today
    if end < start:
        start, end = end, start
    return start, end


@bp.get("/lots/<int:lot_id>/indicators")
@login_required
def lot_indicators(lot_id):
    _require_operator()
    lot = _lot_or_404(lot_id)
    first, last = _period()
    # The days are the territory's: [first day's local midnight, the day after the last) in stored UTC.
    report = indicators.lot_report(lot, local_day_bounds(first)[0], local_day_bounds(last)[1])
    if wants_json():
        return {"lot": lot.id, "start": first.isoformat(), "end": last.isoformat(), **report}
    return render_template("smart_parking/indicators.html", lot=lot, report=report, first=first, last=last)


# -- sensor API ------------------------------------------------------------------------------

_REASONS = {
    "invalid": lazy_gettext("The event is not valid."),
    "unknown_spot": lazy_gettext("Unknown spot for this sensor."),
    "in_future": lazy_gettext("The event is in the future."),
}


@bp.post("/api/events")
@csrf.exempt
def ingest_events():
    """Receive one event or a batch ``{"events": [...]}`` from a sensor authenticated by its own key.

    Valid events are applied and each refused one is reported with its reason; a
    malformed body is refused whole (400 unreadable, 422 field errors).
    """
    module = get_module(services.SERVICE_KEY)
    if module is None or not module.enabled:
        return json_error(404, gettext("Smart parking is not enabled in this territory."))
    device = services.device_for_key(request.headers.get(KEY_HEADER, ""))
    if device is None:
        return json_error(401, gettext("Unknown or revoked sensor key (send it in the %(header)s header).",
                                       header=KEY_HEADER))
    body = request.get_json(silent=True)
    if isinstance(body, list):
        body = {"events": body}
    if not isinstance(body, dict):
        return json_error(400, gettext("Send a JSON object: one event, or a batch {\"events\": [...]}."))
    single = "events" not in body
    if single:
        events = [body]
    else:
        try:
            events = SensorBatchSchema().load(body)["events"]
        except ValidationError as error:
            return json_error(422, gettext("The batch is not valid."), error.messages)
    report = ingestion.ingest(device, events)
    if single and report.rejected:
        refused = report.rejected[0]
        return current_app.json.response({"status": 422, "message": str(_REASONS[refused["reason"]]),
                                          "reason": refused["reason"], "errors": refused["errors"]}), 422
    return report.as_json(), 200
