"""Language choice and translation catalogs (French first, English second)."""
import os

from flask import current_app, has_request_context, session
from flask_babel import gettext
from flask_login import current_user

from coopserv.tenancy import current_territory


def _l(message):
    """Mark a message for extraction; it is translated later, when shown."""
    return message


def select_locale():
    """Pick the visitor's choice, then their account's, then the territory's default, then French."""
    languages = current_app.config["LANGUAGES"]
    candidates = [getattr(current_territory(), "default_language", None)]
    if has_request_context():
        user_language = current_user.language if current_user.is_authenticated else None
        candidates = [session.get("lang"), user_language] + candidates
    for candidate in candidates:
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate_stored(message, params=None):
    """Translate a message stored untranslated (a notification) in the reader's language.

    Text parameters are translated too; stored dates and instants are said in the reader's language
    on the territory's clock (coopserv.notifications.params).
    """
    from coopserv.notifications.params import shown_value

    text = gettext(message)
    translated = {key: gettext(value) if isinstance(value, str) and value else shown_value(value)
                  for key, value in (params or {}).items()}
    try:
        return text % translated
    except (KeyError, TypeError, ValueError):
        return text


def translation_directories(app, host):
    """The core catalog first, then every plugin's."""
    core = os.path.join(app.root_path, "translations")
    return [core] + host.translation_directories()


def page_translations():
    """(catalog, is French) for the language in force, looked up once per page and language.

    A page calls gettext a few hundred times; Flask-Babel resolves the context, domain and locale
    on each call, which cost about a third of a text-heavy page's rendering. The answer is kept in
    Flask-Babel's own per-request state and is valid while its locale and domain objects are the
    same ones, so ``force_locale`` (e-mails in the reader's language) is honoured at once.
    """
    from flask.globals import _cv_app
    from flask_babel import get_locale, get_translations

    app_context = _cv_app.get(None)
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    if state is not None:
        known = state.__dict__
        cached = known.get("coopserv_page_translations")
        if cached is not None and cached[0] is known.get("babel_locale") and cached[1] is known.get("babel_domain"):
            return cached[2], cached[3]
    translations = get_translations()
    locale = get_locale()
    french = locale is not None and locale.language == "fr"
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    if state is not None and locale is not None:
        known = state.__dict__
        if known.get("babel_locale") is locale and known.get("babel_domain") is not None:
            state.coopserv_page_translations = (locale, known["babel_domain"], translations, french)
    return translations, french


def install_safe_template_gettext(jinja_env):
    """Make the templates' ``_()``, ``gettext()`` and ``ngettext()`` survive a "%" in their text.

    Jinja's new-style gettext always %-formats, even without variables, so a label that comes
    from data ("Occupancy (%)") or a translation with a stray "%" raised and took the page down.
    Literal template strings keep writing "%%" for a percent sign; a text that cannot be
    formatted is shown as it is (with "%%" collapsed) instead of failing.
    """
    from jinja2.utils import pass_context
    from markupsafe import Markup

    @pass_context
    def template_gettext(__context, __message, **variables):
        text = page_translations()[0].ugettext(__message)
        return _format(__context, text, __message, variables)

    @pass_context
    def template_ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        text = page_translations()[0].ungettext(__singular, __plural, __num)
        return _format(__context, text, __singular if __num == 1 else __plural, variables)

    def _format(context, text, original, variables):
        wrap = Markup if context.eval_ctx.autoescape else str
        for candidate in (text, original):
            try:
                return wrap(candidate) % variables
            except (KeyError, ValueError, TypeError):
                continue
        return wrap(str(text).replace("%%", "%"))

    jinja_env.globals.update(gettext=template_gettext, ngettext=template_ngettext)
