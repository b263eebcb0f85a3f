"""The site root (list of territories, language) and each territory's portal home."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from coopserv.accounts.access import employer, is_member, is_territory_admin
from coopserv.extensions import db
from coopserv.modules.services import availability, list_modules, members_index, prerequisites_of
from coopserv.onboarding.checklist import checklist
from coopserv.plugin_host import plugin_host, service_type
from coopserv.service_requests.services import usage_index
from coopserv.tenancy import current_territory
from coopserv.territories.models import Territory
from coopserv.web import safe_redirect_target, territory_blueprint

site_bp = Blueprint("site", __name__)
bp = territory_blueprint("portal", __name__)


@site_bp.get("/")
def index():
    """List the territories; a territory's own host name goes straight to its portal."""
    host_territory = db.session.scalar(select(Territory).filter_by(host=request.host.split(":")[0]))
    if host_territory is not None:
        return redirect(url_for("portal.home", territory_slug=host_territory.slug))
    from coopserv.network.access import coordinated_networks

    territories = db.session.scalars(select(Territory).order_by(Territory.name)).all()
    return render_template("portal/index.html", territories=territories, networks=coordinated_networks())


@site_bp.post("/language")
def set_language():
    """Remember the visitor's language choice and go back where they were."""
    code = request.form.get("lang", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = code
    return redirect(safe_redirect_target(request.form.get("next"), "site.index"))


@bp.get("/")
def home():
    """Show the services a person may use, and why the others are not available to them."""
    modules = list_modules(enabled_only=True)
    organization = employer() if current_user.is_authenticated else None
    # Participating organizations and their quota usage, for every module: a quota holds whatever the access rule.
    members = members_index([m.id for m in modules])
    usage = usage_index(organization.id if organization else None, modules)
    if current_user.is_authenticated:
        prerequisites_of([module for module in modules if module.enabled])  # every service's, in one statement
    offers = []
    for module in modules:
        status = availability(module, organization, members, usage) if current_user.is_authenticated else None
        if status is not None and not status.visible:
            continue
        if status is None and module.stage in ("stopped",):
            continue
        offers.append((module, service_type(module.service_key), status))
    panels = plugin_host().collect("portal_home_panels", territory=current_territory(),
                                   user=current_user if current_user.is_authenticated else None)
    # Until the first run is over, the territory's admins find their next step here.
    steps = checklist() if current_user.is_authenticated and is_territory_admin() else []
    if all(step.done for step in steps):
        steps = []
    # People without an employer here (operators, committee members, admins) are told once, not on every card.
    no_employer = current_user.is_authenticated and organization is None and is_member()
    return render_template("portal/home.html", offers=offers, panels=panels, member=is_member(), steps=steps,
                           no_employer=no_employer)
