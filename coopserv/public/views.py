"""Public pages (no account needed), and the admin page choosing what is published."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_limiter.util import get_remote_address
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.extensions import db, limiter
from coopserv.governance.models import EVENT_KINDS, GovernanceEvent
from coopserv.modules.models import STAGES as MODULE_STAGES
from coopserv.projects.models import OUTCOMES, STAGES
from coopserv.web import form_data, roles_required, territory_blueprint

from . import services
from .models import SECTIONS, PublicRegistration
from .schemas import PublishedEventSchema, RegistrationSchema, SettingsSchema

bp = territory_blueprint("public", __name__, url_prefix="/public")
admin_bp = territory_blueprint("public_admin", __name__, url_prefix="/admin/public")
#: A hidden field people never fill; bots that fill every field get a confirmation and nothing is stored.
HONEYPOT = "website"


def _render(template, status=200, **context):
    settings = services.settings()
    return render_template(template, settings=settings, sections=[s for s in SECTIONS if getattr(settings, s)],
                           **context), status


def _published(section):
    if not getattr(services.settings(), section):
        abort(404)


@bp.get("/")
def home():
    """What the territory publishes, in one page of links."""
    return _render("public/home.html")


@bp.get("/services")
def services_page():
    _published("services")
    return _render("public/services.html", offers=services.services(), module_stages=MODULE_STAGES)


@bp.get("/needs")
def needs():
    _published("needs")
    rows, total = services.needs()
    return _render("public/needs.html", rows=rows, total=total)


@bp.get("/projects")
def projects():
    _published("projects")
    return _render("public/projects.html", rows=services.projects(), stages=STAGES, outcomes=OUTCOMES)


@bp.get("/events")
def events():
    _published("events")
    upcoming, past = services.events()
    return _render("public/events.html", upcoming=upcoming, past=past, kinds=EVENT_KINDS)


def _event_or_404(event_id):
    _published("events")
    found = services.published_event(event_id)
    if found is None:
        abort(404)
    return found


@bp.get("/events/<int:event_id>")
def event(event_id):
    found, publication = _event_or_404(event_id)
    return _render("public/event.html", event=found, publication=publication, kinds=EVENT_KINDS,
                   open=services.accepts_registrations(found, publication),
                   places_left=services.places_left(found, publication))


def _registration_limit_key():
    return f"public-registration:{get_remote_address()}"


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"], key_func=_registration_limit_key)
def register(event_id):
    """A visitor registers with a name, an e-mail and a company; a plain confirmation page follows."""
    found, publication = _event_or_404(event_id)
    if not services.accepts_registrations(found, publication):
        return _render("public/register.html", 409 if request.method == "POST" else 200, event=found,
                       closed=True, values={}, errors={})
    values, errors = {}, {}
    if request.method == "POST":
        values = form_data()
        if values.pop(HONEYPOT, ""):
            return redirect(url_for("public.registered", event_id=found.id), 303)
        try:
            services.register(found, publication, RegistrationSchema().load(values))
        except ValidationError as error:
            db.session.rollback()
            errors = error.messages
        else:
            return redirect(url_for("public.registered", event_id=found.id), 303)
    return _render("public/register.html", 422 if errors else 200, event=found, closed=False, values=values,
                   errors=errors, places_left=services.places_left(found, publication))


@bp.get("/events/<int:event_id>/registered")
def registered(event_id):
    found, _publication = _event_or_404(event_id)
    return _render("public/registered.html", event=found)


# -- administration ------------------------------------------------------------------------------------
def _admin_page(errors=None, values=None, status=200):
    settings = services.settings()
    values = values or {name: getattr(settings, name) for name in (*SECTIONS, "introduction")}
    return render_template("public/admin.html", values=values, errors=errors or {},
                           events=services.event_publications(), kinds=EVENT_KINDS), status


@admin_bp.get("/")
@roles_required(TERRITORY_ADMIN)
def settings():
    return _admin_page()


@admin_bp.post("/")
@roles_required(TERRITORY_ADMIN)
def save_settings():
    values = form_data()
    for name in SECTIONS:
        values[name] = values.get(name) == "on"
    try:
        services.save_settings(SettingsSchema().load(values), current_user)
    except ValidationError as error:
        db.session.rollback()
        return _admin_page(error.messages, values, 422)
    flash(_("Saved: visitors see the sections you chose."), "success")
    return redirect(url_for("public_admin.settings"))


@admin_bp.post("/events")
@roles_required(TERRITORY_ADMIN)
def publish_event():
    values = form_data()
    for name in ("published", "registration_open"):
        values[name] = values.get(name) == "on"
    try:
        services.set_publication(PublishedEventSchema().load(values), current_user)
    except ValidationError as error:
        db.session.rollback()
        flash("; ".join(str(m) for messages in error.messages.values() for m in messages), "error")
        return redirect(url_for("public_admin.settings"))
    flash(_("Saved."), "success")
    return redirect(url_for("public_admin.settings"))


@admin_bp.get("/events/<int:event_id>/registrations")
@roles_required(TERRITORY_ADMIN)
def registrations(event_id):
    """Visitors registered to an event of the territory, withdrawn or not (their data stays until deleted)."""
    found = db.session.scalar(select(GovernanceEvent).filter_by(id=event_id))
    if found is None:
        abort(404)
    return render_template("public/registrations.html", event=found,
                           registrations=services.registrations(event_id))


@admin_bp.post("/registrations/<int:registration_id>/delete")
@roles_required(TERRITORY_ADMIN)
def delete_registration(registration_id):
    registration = db.session.scalar(select(PublicRegistration).filter_by(id=registration_id))
    if registration is None:
        abort(404)
    event_id = registration.event_id
    services.delete_registration(registration, current_user)
    flash(_("The registration is deleted."), "success")
    return redirect(url_for("public_admin.registrations", event_id=event_id))
