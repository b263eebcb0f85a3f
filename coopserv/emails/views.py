"""One-click unsubscribe: a confirmation page for people, a POST for mail programs (RFC 8058)."""
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from coopserv.emails import services
from coopserv.emails.categories import CATEGORIES
from coopserv.extensions import csrf

bp = Blueprint("emails", __name__)


def _label(payload):
    if payload["c"] == services.ALL_DIGESTS:
        return _("the daily digest")
    return _(CATEGORIES[payload["c"]].label)


@bp.get("/unsubscribe/<token>")
def unsubscribe(token):
    """Show what the link stops, with one button: a link opened by a mail scanner changes nothing."""
    payload = services.read_unsubscribe_token(token)
    if payload is None:
        abort(404)
    return render_template("emails/unsubscribe.html", token=token, category=_label(payload), done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # the signed token is the proof; mail programs post "List-Unsubscribe=One-Click" without a form
def unsubscribe_confirm(token):
    payload = services.read_unsubscribe_token(token)
    if payload is None:
        abort(404)
    services.unsubscribe(payload)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("emails/unsubscribe.html", token=token, category=_label(payload), done=True)
