"""Smart parking and the outside world: Orion notifications in; open data out (NGSI-LD, CSV, JSON)."""
import csv
import io
import json
import os

from flask import Response, abort, request, send_file, url_for

from coopserv.plugin_api import (
    csrf,
    current_territory,
    get_module,
    gettext,
    json_error,
    territory_blueprint,
    utcnow,
)

from . import ngsi, ngsi_ld, public_data, services
from .schemas import smart_parking_config

bp = territory_blueprint("smart_parking_interop", __name__, url_prefix="/smart-parking")
ngsi_ld_bp = territory_blueprint("smart_parking_ngsi_ld", __name__, url_prefix="/ngsi-ld/v1")

#: Header carrying an Orion subscription's own key (set in the subscription's ``httpCustom.headers``).
SUBSCRIPTION_KEY_HEADER = "X-Subscription-Key"
CONTEXT_FILE = os.path.join(os.path.dirname(__file__), "static", "smart_parking", "ngsi-ld", "context.jsonld")


def _enabled_module():
    module = get_module(services.SERVICE_KEY)
    return module if module is not None and module.enabled else None


# -- Orion notifications in ----------------------------------------------------------------

@bp.post("/ngsi/notify")
@csrf.exempt
def ngsi_notify():
    """Receive an NGSI-v2 or NGSI-LD notification of ParkingSpot entities from a declared subscription.

    Answers 200 with one entry per entity (accepted, duplicate, ignored or
    rejected with field errors) as soon as the envelope is readable: one bad
    entity never rejects the others.
    """
    if _enabled_module() is None:
        return json_error(404, gettext("Smart parking is not enabled in this territory."))
    subscription = services.subscription_for_key(request.headers.get(SUBSCRIPTION_KEY_HEADER, ""))
    if subscription is None:
        return json_error(401, gettext("Unknown or revoked subscription key (send it in the %(header)s header).",
                                       header=SUBSCRIPTION_KEY_HEADER))
    tenant = (request.headers.get("Fiware-Service") or request.headers.get("NGSILD-Tenant") or "").strip().lower()
    if tenant != subscription.fiware_service:
        return json_error(403, gettext("This subscription expects Fiware-Service “%(expected)s”, not “%(sent)s”.",
                                       expected=subscription.fiware_service, sent=tenant))
    path = request.headers.get("Fiware-ServicePath", "/")
    if not ngsi.service_path_matches(subscription.fiware_service_path, path):
        return json_error(403, gettext("This subscription expects Fiware-ServicePath %(expected)s, not %(sent)s.",
                                       expected=subscription.fiware_service_path, sent=path))
    body = request.get_json(silent=True, force=True)
    if body is None:
        return json_error(400, gettext("Send the notification as JSON."))
    now = utcnow()
    try:
        report = ngsi.receive_notification(body, lot_id=subscription.lot_id, now=now)
    except ngsi.NotificationError as error:
        return json_error(422, gettext("The notification is not valid."), error.errors)
    services.subscription_notified(subscription.id, now)
    return report, 200


# -- open data: availability per lot --------------------------------------------------------

def _published_module():
    """The module when the territory publishes its parking data, else 404."""
    module = _enabled_module()
    if module is None or module.stage == "stopped" or not smart_parking_config(module)["publish_open_data"]:
        abort(404)
    return module


@bp.get("/open-data/availability.json")
def availability_json():
    """Every active lot's spots by status now, with the smart-data-models names, as JSON."""
    _published_module()
    rows = public_data.lots_availability()
    return {"territory": current_territory().slug, "generated_at": utcnow().isoformat() + "Z",
            "lots": [public_data.lot_record(row) for row in rows]}


@bp.get("/open-data/availability.csv")
def availability_csv():
    """Every active lot's spots by status now, one line per lot, as CSV."""
    _published_module()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(public_data.CSV_COLUMNS)
    for row in public_data.lots_availability():
        record = public_data.lot_record(row)
        writer.writerow(["" if record[name] is None else record[name] for name in public_data.CSV_COLUMNS])
    slug = current_territory().slug
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={slug}-parking-availability.csv"})


def open_data_links():
    """The links the open-data page lists when the territory publishes its parking data."""
    module = _enabled_module()
    if module is None or module.stage == "stopped" or not smart_parking_config(module)["publish_open_data"]:
        return []
    return [
        {"label": gettext("Car parks' availability now (CSV, one line per car park)"), "format": "CSV",
         "url": url_for("smart_parking_interop.availability_csv")},
        {"label": gettext("Car parks' availability now (JSON)"), "format": "JSON",
         "url": url_for("smart_parking_interop.availability_json")},
        {"label": gettext("Car parks and spots as NGSI-LD entities (OffStreetParking, ParkingSpot)"),
         "format": "NGSI-LD", "url": url_for("smart_parking_ngsi_ld.entities")},
    ]


# -- NGSI-LD read API ---------------------------------------------------------------------------

def _ngsi_ld_error(status, kind, title, detail=""):
    """An NGSI-LD ProblemDetails answer (ETSI GS CIM 009, clause 5.5.2)."""
    body = {"type": f"https://uri.etsi.org/ngsi-ld/errors/{kind}", "title": title}
    if detail:
        body["detail"] = detail
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _context_url():
    return url_for("smart_parking_ngsi_ld.context", _external=True)


def _entities_response(payload, links=(), headers=None):
    """Answer JSON with the @context in a Link header, or JSON-LD with @context in the body when asked."""
    accept = request.headers.get("Accept", "")
    wants_ld = "application/ld+json" in accept and request.accept_mimetypes.best_match(
        ["application/json", "application/ld+json"]) == "application/ld+json"
    context = _context_url()
    if wants_ld:
        for item in payload if isinstance(payload, list) else [payload]:
            item["@context"] = [context]
        response = Response(json.dumps(payload, ensure_ascii=False), mimetype="application/ld+json")
    else:
        response = Response(json.dumps(payload, ensure_ascii=False), mimetype="application/json")
        response.headers.add("Link", f'<{context}>; rel="http://www.w3.org/ns/json-ld#context"; '
                                     'type="application/ld+json"')
    for link in links:
        response.headers.add("Link", link)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _settings():
    config = smart_parking_config(_published_module())
    return config["nearly_full_percent"]


@ngsi_ld_bp.get("/entities")
def entities():
    """Query the territory's lots (OffStreetParking) and spots (ParkingSpot) like a context broker."""
    nearly_full = _settings()
    try:
        query = ngsi_ld.EntityQuery.from_args(request.args)
        page, more, total = ngsi_ld.find_entities(query, current_territory().slug, utcnow(), nearly_full)
    except ngsi_ld.QueryError as error:
        return _ngsi_ld_error(400, "BadRequestData", gettext("The query is not valid."), str(error))
    headers = {"NGSILD-Results-Count": str(total)} if total is not None else {}
    links = []
    if more:
        args = request.args.to_dict()
        args.update(offset=query.offset + query.limit, limit=query.limit)
        links.append(f'<{url_for("smart_parking_ngsi_ld.entities", _external=True, **args)}>; rel="next"')
    return _entities_response(page, links, headers)


@ngsi_ld_bp.get("/entities/<path:entity_id>")
def entity(entity_id):
    """One lot or spot by its NGSI-LD id."""
    nearly_full = _settings()
    try:
        query = ngsi_ld.EntityQuery.from_args(request.args, entity_id=entity_id)
        query.limit, query.offset = 1, 0
        page, _more, _total = ngsi_ld.find_entities(query, current_territory().slug, utcnow(), nearly_full)
    except ngsi_ld.QueryError as error:
        return _ngsi_ld_error(400, "BadRequestData", gettext("The query is not valid."), str(error))
    if not page:
        return _ngsi_ld_error(404, "ResourceNotFound", gettext("No entity has this id."), entity_id)
    return _entities_response(page[0])


@ngsi_ld_bp.get("/context.jsonld")
def context():
    """The JSON-LD @context the entities' terms expand with (smart-data-models Parking, vendored)."""
    _published_module()
    response = send_file(CONTEXT_FILE, mimetype="application/ld+json", max_age=86400)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
