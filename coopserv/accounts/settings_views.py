"""A member's settings in a territory: which e-mails arrive and when, and their private calendar feed."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from coopserv.emails import services as emails
from coopserv.emails.categories import MODE_LABELS, MODES, tunable_categories
from coopserv.emails.schemas import EmailPreferencesSchema
from coopserv.web import form_data, member_required, render_page, territory_blueprint

bp = territory_blueprint("account_settings", __name__, url_prefix="/settings")


def _page(values=None, errors=None, status=200):
    context = {"categories": tunable_categories(), "mode_options": [(m, _(MODE_LABELS[m])) for m in MODES],
               "values": values if values is not None else emails.preferences(current_user.id),
               "errors": errors or {}}
    context.update(_extra_sections())
    return render_page("accounts/settings.html", http_status=status, **context)


def _extra_sections():
    """Other parts of the page (the calendar feed), each from its own module."""
    try:
        from coopserv.calendar.views import settings_section
    except ImportError:
        return {}
    return settings_section()


@bp.get("/")
@member_required
def index():
    return _page()


@bp.post("/emails")
@member_required
def save_emails():
    values = form_data()
    try:
        emails.save_preferences(current_user.id, EmailPreferencesSchema().load(values))
    except ValidationError as error:
        return _page(values, error.messages, 422)
    flash(_("Your e-mail preferences are saved."), "success")
    return redirect(url_for("account_settings.index"))
