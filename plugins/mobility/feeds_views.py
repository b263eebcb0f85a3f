"""Open mobility feeds of a territory: GBFS for the bike pools, GTFS for the shuttle (no sign-in)."""
from flask import Response, abort, jsonify, url_for

from coopserv.plugin_api import (current_territory, get_module, gettext, territory_blueprint, timezone_name,
                                 utcnow)

from . import gbfs, gtfs, services

bp = territory_blueprint("mobility_feeds", __name__, url_prefix="/mobility/feeds")


def published_config():
    """The module's configuration when it publishes open data, or None."""
    module = get_module(services.SERVICE_KEY)
    if module is None or not module.enabled or module.stage == "stopped":
        return None
    config = services.module_config(module)
    return config if config["publish_open_data"] else None


def _config_or_404(offer):
    config = published_config()
    if config is None or not config[offer]:
        abort(404)
    return config


def _portal_url():
    return url_for("portal.home", _external=True)


def _json(document):
    response = jsonify(document)
    response.headers["Cache-Control"] = f"public, max-age={gbfs.TTL}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/gbfs/gbfs.json")
def gbfs_discovery():
    """GBFS auto-discovery: the feeds this territory publishes."""
    _config_or_404("bikes_enabled")
    return _json(gbfs.discovery(utcnow(), current_territory().default_language or "fr",
                                lambda name: url_for("mobility_feeds.gbfs_feed", feed=name, _external=True)))


@bp.get("/gbfs/<feed>.json")
def gbfs_feed(feed):
    """One GBFS file: system_information, vehicle_types, station_information or station_status."""
    _config_or_404("bikes_enabled")
    now = utcnow()
    if feed == "system_information":
        return _json(gbfs.system_information(current_territory(), now, current_territory().default_language or "fr",
                                             timezone_name(), _portal_url()))
    builders = {"vehicle_types": gbfs.vehicle_types, "station_information": gbfs.station_information,
                "station_status": gbfs.station_status}
    if feed not in builders:
        abort(404)
    return _json(builders[feed](now))


@bp.get("/gtfs.zip")
def gtfs_zip():
    """The shuttle's timetable as GTFS static (zip)."""
    _config_or_404("shuttle_enabled")
    territory = current_territory()
    data = gtfs.feed_zip(territory, utcnow(), timezone_name(), _portal_url(), territory.default_language or "fr")
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f"attachment; filename={territory.slug}-shuttle-gtfs.zip"})


def open_data_links():
    """The links the open-data page lists for this territory's published mobility feeds."""
    config = published_config()
    if config is None:
        return []
    links = []
    if config["bikes_enabled"]:
        links.append({"label": gettext("Bike pools (GBFS 2.3)"), "format": "GBFS",
                      "url": url_for("mobility_feeds.gbfs_discovery")})
    if config["shuttle_enabled"]:
        links.append({"label": gettext("Shuttle timetable (GTFS)"), "format": "GTFS",
                      "url": url_for("mobility_feeds.gtfs_zip")})
    return links
