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


def render_settings(values=None, errors=None, status=200, message=None, calendar_secret=None):
    """The settings page; other modules' actions render it too (the calendar link is shown once)."""
    from coopserv.calendar.views import settings_section

    context = {"categories": tunable_categories(), "mode_options": [(m, _(MODE_LABELS[m])) for m in MODES],
               "values": values if values is not None else emails.preferences(current_user.id),
               "errors": errors or {}, "message": message}
    context.update(settings_section(calendar_secret))
    return render_page("accounts/settings.html", http_status=status, **context)


@bp.get("/")
@member_required
def index():
    return render_settings()


@bp.post("/emails")
@member_required
def save_emails():
    values = form_data()
    try:
        emails.save_preferences(current_user.id, EmailPreferencesSchema().load(values))
    except ValidationError as error:
        return render_settings(values, error.messages, 422)
    flash(_("Your e-mail preferences are saved."), "success")
    return redirect(url_for("account_settings.index"))
