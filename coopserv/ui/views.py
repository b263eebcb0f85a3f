"""The style guide (development only) and the favicon."""
from flask import Blueprint, abort, current_app, render_template, send_from_directory

from coopserv.plugin_host import plugin_host

bp = Blueprint("ui", __name__)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: answer it rather than 404 on every page."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.get("/styleguide")
def styleguide():
    """Show every component of the design system, with the markup to use; never in production."""
    if current_app.config.get("PRODUCTION"):
        abort(404)
    return render_template("ui/styleguide.html", service_types=list(plugin_host().service_types.values()))
