"""Web plumbing shared by every page: territory blueprints, htmx partials, form errors."""
import datetime
from functools import wraps

import json
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_currency, format_date, format_decimal
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup

from sqlalchemy import select

from coopserv.tenancy import current_territory, require_territory

TERRITORY_PREFIX = "/t/<territory_slug>"


def territory_blueprint(name, import_name, url_prefix="", **kwargs):
    """Create a blueprint living under /t/<territory_slug>/ that loads the territory or 404s."""
    blueprint = Blueprint(name, import_name, url_prefix=TERRITORY_PREFIX + url_prefix, **kwargs)

    @blueprint.url_value_preprocessor
    def _load_territory(endpoint, values):
        require_territory(values.pop("territory_slug"))

    return blueprint


def is_htmx():
    """Tell whether the current request was sent by htmx (the one place reading HX-Request)."""
    return bool(getattr(request, "htmx", False))


def render_page(page_template, partial_template=None, http_status=200, **context):
    """Render the full page, or only its partial for an htmx request; vary on HX-Request."""
    # A boosted link (hx-boost) wants the whole page, from which htmx selects what it needs.
    boosted = is_htmx() and request.htmx.boosted
    template = partial_template if partial_template and is_htmx() and not boosted else page_template
    response = make_response(render_template(template, **context), http_status)
    response.vary.add("HX-Request")
    return response


def redirect_after_post(location):
    """Send the browser to ``location``: a 302, or HX-Redirect for htmx so the whole page changes."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def wants_json():
    """Tell whether the client sent or asked for JSON rather than HTML."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def json_error(status, message, errors=None):
    """Answer an error in the one JSON shape the API uses."""
    body = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return current_app.json.response(body), status


def form_data():
    """Return the submitted fields as a plain dict; lists for fields sent several times."""
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None:
            abort(400, _("The request body is not valid JSON."))
        if not isinstance(body, dict):
            abort(400, _("Send a JSON object."))
        return body
    data = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        values = request.form.getlist(key)
        data[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return {key.removesuffix("[]"): value for key, value in data.items()}


def roles_required(*roles):
    """Let the view run only for members holding one of ``roles`` in the current territory."""
    from flask_login import current_user

    from coopserv.accounts.access import has_role

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not any(has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def member_required(view):
    """Let the view run only for active members of the current territory (and platform admins).

    Signed-in people of another territory get 403: a territory's pages never
    show its catalogue, forms or notifications to outsiders.
    """
    from flask_login import current_user

    from coopserv.accounts.access import is_member

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not is_member():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


class JSONProvider(DefaultJSONProvider):
    """Serialise lazy translations as the current language's text, and times as ISO 8601 with an offset.

    Flask would write a datetime as an HTTP date ("Thu, 03 Dec 2026 17:30:00 GMT"); every JSON
    answer of the core and the plugins gives it on the territory's clock instead
    ("2026-12-03T18:30:00+01:00"), and a date as "2026-12-03".
    """

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        if isinstance(o, datetime.datetime):
            from coopserv.timeutil import to_local

            return to_local(o).isoformat()
        if isinstance(o, (datetime.date, datetime.time)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)

    def loads(self, s, **kwargs):
        """Parse JSON; absurdly nested input is unreadable JSON (400), not a crash."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def register_web(app, host):
    """Register blueprints (core, then plugins), template helpers and error pages."""
    from coopserv.accounts.preview import install_preview_guard
    from coopserv.accounts.preview_views import bp as preview_bp
    from coopserv.accounts.settings_views import bp as account_settings_bp
    from coopserv.accounts.views import bp as accounts_bp
    from coopserv.branding.theme import brand_logo_url, theme_url
    from coopserv.branding.views import bp as branding_bp
    from coopserv.legal.views import admin_bp as legal_admin_bp
    from coopserv.legal.views import bp as legal_bp
    from coopserv.legal.views import site_bp as platform_legal_bp
    from coopserv.ui.icons import icon, service_icon
    from coopserv.ui.views import bp as ui_bp
    from coopserv.accounts.loading import load_user
    from coopserv.accounts.views import territory_bp as membership_bp
    from coopserv.committee_indicators.views import bp as committee_indicators_bp
    from coopserv.admin_views import bp as admin_bp
    from coopserv.extensions import login_manager
    from coopserv.governance.blueprint import create_blueprint as governance_blueprint
    from coopserv.i18n import translate_stored
    from coopserv.calendar.views import bp as calendar_settings_bp
    from coopserv.calendar.views import feeds_bp as calendar_feeds_bp
    from coopserv.calendar.views import public_bp as calendar_public_bp
    from coopserv.emails.views import bp as emails_bp
    from coopserv.health import bp as health_bp
    from coopserv.indicators.views import bp as indicators_bp
    from coopserv.indicators.views import public_bp as open_data_bp
    from coopserv.modules.views import bp as modules_bp
    from coopserv.needs.views import bp as needs_bp
    from coopserv.notifications.views import bp as notifications_bp
    from coopserv.portal.views import bp as portal_bp
    from coopserv.portal.views import site_bp
    from coopserv.projects.views import bp as projects_bp
    from coopserv.service_requests.views import bp as requests_bp
    from coopserv.tokens.views import bp as tokens_bp

    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    for blueprint in (site_bp, portal_bp, accounts_bp, membership_bp, modules_bp, requests_bp, notifications_bp,
                      admin_bp, tokens_bp, indicators_bp, committee_indicators_bp, open_data_bp, needs_bp, projects_bp,
                      governance_blueprint(), preview_bp, ui_bp, branding_bp, legal_bp, legal_admin_bp,
                      platform_legal_bp, emails_bp, account_settings_bp, calendar_feeds_bp,
                      calendar_settings_bp, calendar_public_bp, health_bp):
        app.register_blueprint(blueprint)
    install_preview_guard(app)
    for blueprint in host.blueprints():
        app.register_blueprint(blueprint)

    expects_slug = {}  # endpoint -> whether its rules take the territory; a page builds hundreds of URLs

    @app.url_defaults
    def _add_territory_slug(endpoint, values):
        if "territory_slug" in values:
            return
        rules = len(app.url_map._rules_by_endpoint.get(endpoint, ()))  # a rule added since: ask again
        known = expects_slug.get(endpoint)
        if known is None or known[0] != rules:
            known = expects_slug[endpoint] = (rules, app.url_map.is_endpoint_expecting(endpoint, "territory_slug"))
        expected = known[1]
        territory = current_territory() if expected else None
        if territory is not None:
            values["territory_slug"] = territory.slug

    @app.context_processor
    def _template_helpers():
        from coopserv.template_context import template_context

        return template_context()

    app.jinja_env.globals["translate_stored"] = translate_stored
    from coopserv.plugin_host import service_type

    app.jinja_env.globals.update(icon=icon, service_icon=service_icon, theme_url=theme_url,
                                 brand_logo_url=brand_logo_url, service_type=service_type)
    install_french_elision(app.jinja_env)
    app.jinja_env.globals["days_from_today"] = days_from_today
    from coopserv.urls import row_url

    app.jinja_env.globals["row_url"] = row_url
    app.after_request(flashes_as_toasts)
    # For labels and units that come from data: Jinja's _() %-formats even without variables.
    app.jinja_env.globals["translate"] = _
    app.jinja_env.globals.update(format_date=format_date, format_currency=format_currency,
                                 format_decimal=format_decimal)
    # Times in the territory's zone, without seconds: when, when_short, day, clock, local_input (and
    # format_datetime / format_time, kept for existing templates).
    from coopserv.timeutil import register_template_helpers

    register_template_helpers(app)
    app.jinja_env.filters["field_errors"] = field_errors_markup
    app.jinja_env.filters["choices"] = choices
    app.jinja_env.filters["enumerate_pairs"] = lambda items: list(enumerate(items))

    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _error_page)


def field_errors_markup(errors, field):
    """Render a field's errors as an accessible list, linked from the input by aria-describedby."""
    messages = (errors or {}).get(field)
    if not messages:
        return Markup("")
    if isinstance(messages, str):
        messages = [messages]
    if isinstance(messages, dict):
        messages = [msg for sub in messages.values() for msg in (sub if isinstance(sub, list) else [sub])]
    items = "".join(f"<li>{Markup.escape(m)}</li>" for m in messages)
    return Markup(f'<ul class="field-errors" id="{field}-error" role="alert">{items}</ul>')


def choices(items, value_attr=None, label_attr=None):
    """Turn objects (or plain values) into (value, label) pairs for a select."""
    if value_attr is None:
        return [(item, item) for item in items]
    return [(getattr(item, value_attr), getattr(item, label_attr)) for item in items]


def _error_page(error):
    """Answer any HTTP error: JSON for the API and JSON clients, an HTML page otherwise."""
    status = getattr(error, "code", 500) or 500
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in or give a valid access token."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        409: _("This action conflicts with the current state."),
        413: _("The request is too large."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts; please wait a moment."),
    }
    message = messages.get(status, _("Something went wrong on our side."))
    data = getattr(error, "data", None) or {}
    if request.path.startswith("/api/") or wants_json():
        detail = data.get("message") or (error.description if error.description != type(error).description
                                         else None)
        return json_error(status, detail or message, _api_field_errors(data))
    _territory_of_path()
    return render_template("errors/error.html", status=status, message=message,
                           errors=_api_field_errors(data)), status


def _territory_of_path():
    """Load the territory named in the URL (/t/<slug>/...) when routing failed before it could.

    An error page then keeps the territory's look and links back to its portal, not the site root.
    """
    from coopserv.extensions import db
    from coopserv.tenancy import request_cache
    from coopserv.territories.models import Territory

    if current_territory() is not None:
        return
    match = _TERRITORY_PATH.match(request.path)
    if match is None:
        return
    try:
        territory = db.session.scalar(select(Territory).filter_by(slug=match.group(1)))
    except Exception:  # an error page must render even when the database cannot answer
        db.session.rollback()
        return
    if territory is not None:
        request_cache()["territory"] = territory


_TERRITORY_PATH = re.compile(r"^/t/([a-z0-9]+(?:-[a-z0-9]+)*)(?:/|$)")


def days_from_today(days):
    """The date ``days`` days after the territory's today (as services count booking windows), for templates."""
    from datetime import timedelta

    from coopserv.timeutil import local_today

    return local_today() + timedelta(days=days)


def flashes_as_toasts(response):
    """Show an htmx action's flashed messages as toasts (HX-Trigger) instead of on the next page.

    Responses that send the browser elsewhere keep their messages for the page they lead to.
    """
    if not is_htmx() or response.status_code >= 300 and response.status_code < 400 or "HX-Redirect" in response.headers:
        return response
    flashes = session.pop("_flashes", None) if "_flashes" in session else None
    if not flashes:
        return response
    toasts = [{"message": str(message), "level": category if category in ("success", "error", "info", "warning")
               else "info"} for category, message in flashes]
    triggers = {}
    if response.headers.get("HX-Trigger"):
        try:
            triggers = json.loads(response.headers["HX-Trigger"])
        except ValueError:
            triggers = {response.headers["HX-Trigger"]: None}
    triggers["coopserv:toast"] = toasts
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


#: "de" before a name starting with a vowel: French elides it ("d'Autun", not "de Autun").
_DE_BEFORE_VOWEL = re.compile(r"\b([Dd])e ([AEIOUÂÊÎÔÛÉÈËÏÜŒ])")


def install_french_elision(env):
    """Elide every translated string templates show, once its names are filled in.

    Any message may take a territory's or a person's name ("À propos de %(territory)s"), so the
    rule applies to all of them rather than to the templates that remember a filter.
    """
    # ``_`` is Jinja's alias that calls the ``gettext`` global, which is wrapped already.
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        translate = env.globals.get(name)
        if translate is not None and getattr(translate, "jinja_pass_arg", None) is not None:
            env.globals[name] = _eliding(translate)


def _eliding(translate):
    @pass_context
    def translated(context, *args, **kwargs):
        return elide_french(translate(context, *args, **kwargs))

    return translated


def elide_french(text):
    """Apply French elision of "de" before a capitalised vowel (names) when the page is in French.

    Translations write "de %(territory)s" naturally; the name decides the form, so the
    rule lives here rather than in every catalog entry.
    """
    from coopserv.i18n import page_translations

    if not text or "e " not in text or not page_translations()[1]:
        return text
    elided = _DE_BEFORE_VOWEL.sub(lambda m: f"{m.group(1)}'{m.group(2)}", str(text))
    return Markup(elided) if isinstance(text, Markup) else elided


def _api_field_errors(data):
    """Field errors of an API error, flat ({field: [messages]}), whatever produced them."""
    if data.get("errors"):
        return data["errors"]
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    # webargs groups errors by location ("json", "query"): the API answers with the fields themselves.
    flat = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _csrf_error(error):
    message = _("The form expired or was not sent from this site; please try again.")
    if wants_json():
        return json_error(400, message)
    return render_template("errors/error.html", status=400, message=message), 400


from coopserv.security import safe_redirect_target  # noqa: E402,F401  (the one redirect rule, kept importable here)
