"""Configuration defaults and the rules that override them."""
import os

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
ENV_PREFIX = "COOPSERV_"


class DefaultConfig:
    """Values used unless instance/config.py or COOPSERV_* variables say otherwise."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # Resolved against the instance folder in create_app when left as None.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PRODUCTION = False
    BABEL_DEFAULT_LOCALE = "fr"
    #: Times are stored in UTC; shown in this zone ("Europe/Paris" for French territories, once the
    #: smart-parking plugin's time windows are read in it consistently — see its issue note).
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("fr", "en")
    # Plugins that may run on this instance; None means every installed plugin.
    ENABLED_PLUGINS = None
    PASSWORD_RESET_MAX_AGE = 3600
    #: werkzeug hashing method; tests use a cheaper pbkdf2 to stay fast, production keeps scrypt.
    PASSWORD_HASH_METHOD = "scrypt"
    MAIL_SENDER = "coopserv@localhost"
    # Where development mail is written; resolved against the instance folder when relative.
    MAIL_OUTBOX = "outbox"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = 25
    #: How long a computed indicator's value (one without a rollup) is reused while its month is open, and once
    #: computed after its month closed. Indicators with a rollup are always current.
    INDICATOR_CACHE_SECONDS = 60
    INDICATOR_CLOSED_CACHE_SECONDS = 86_400
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    API_TITLE = "coopserv"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Served by the app itself (vendored from the npm package swagger-ui-dist), never from a CDN.
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    # Swagger UI would otherwise send the API document to validator.swagger.io from the browser.
    OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}


def from_environment(environ=os.environ):
    """Read COOPSERV_* variables into config keys (COOPSERV_DATABASE_URL names the database)."""
    values = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):]
        if key == "DATABASE_URL":
            key = "SQLALCHEMY_DATABASE_URI"
        values[key] = _parse(raw)
    return values


def _parse(raw):
    """Turn 'true'/'false'/comma lists into Python values; keep anything else as text."""
    lowered = raw.strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    return raw


class InsecureConfigError(RuntimeError):
    """Raised when a production instance would start with an unsafe setting."""


def check_production_safety(config):
    """Refuse to run in production with the published development secret key."""
    if config.get("PRODUCTION") and config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise InsecureConfigError(
            "PRODUCTION is on but SECRET_KEY is the development default: "
            "set COOPSERV_SECRET_KEY or SECRET_KEY in instance/config.py."
        )
