"""Calendar feeds over HTTP: the private feed behind its secret, the public feed, and the settings section."""
from flask import Blueprint, abort, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coopserv.calendar import services
from coopserv.tenancy import current_territory
from coopserv.urls import external_url
from coopserv.web import member_required, territory_blueprint

feeds_bp = Blueprint("calendar", __name__)
bp = territory_blueprint("calendar_settings", __name__, url_prefix="/settings/calendar")
public_bp = territory_blueprint("calendar_public", __name__)


def _ics_response(body, filename):
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@feeds_bp.get("/calendar/<secret>.ics")
def private_feed(secret):
    """A person's feed; the secret in the URL is the only credential (calendar programs cannot sign in)."""
    user = services.user_for_secret(secret)
    if user is None:
        abort(404)
    return _ics_response(services.private_feed(user), "coopserv.ics")


@public_bp.get("/calendar.ics")
def public_feed():
    territory = current_territory()
    response = _ics_response(services.public_feed(territory), f"{territory.slug}.ics")
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


def settings_section(new_secret=None):
    """What the settings page shows about the feed: whether one exists, the new link (once), the public feed."""
    row = services.feed_token(current_user.id)
    return {"calendar_section": "calendar/_settings.html", "calendar_token": row,
            "calendar_new_url": external_url("calendar.private_feed", secret=new_secret) if new_secret else None,
            "calendar_public_url": external_url("calendar_public.public_feed", territory=current_territory())}


@bp.post("/renew")
@member_required
def renew():
    """Make a new private link and show it once; the previous link stops working."""
    from coopserv.accounts.settings_views import render_settings

    secret = services.renew_feed_token(current_user)
    return render_settings(message=_("Here is your private calendar link. Copy it now: it is shown only once."),
                           calendar_secret=secret)


@bp.post("/revoke")
@member_required
def revoke():
    from flask import flash

    services.revoke_feed_token(current_user)
    flash(_("Your private calendar link no longer works."), "success")
    return redirect(url_for("account_settings.index"))
