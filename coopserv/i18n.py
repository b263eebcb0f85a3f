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
    """Translate a message stored untranslated (a notification) in the reader's language."""
    text = gettext(message)
    translated = {key: gettext(value) if isinstance(value, str) and value else value
                  for key, value in (params or {}).items()}
    try:
        return text % translated
    except (KeyError, TypeError, ValueError):
        return text


def translation_directories(app, host):
    """The core catalog first, then every plugin's."""
    core = os.path.join(app.root_path, "translations")
    return [core] + host.translation_directories()
