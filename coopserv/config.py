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
    #: SMTP server; without one, mail goes to MAIL_OUTBOX (development).
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    #: The From address; MAIL_SENDER stays accepted for older instance configs.
    MAIL_DEFAULT_SENDER = None
    MAIL_TIMEOUT = 20
    #: Base of absolute links in e-mails and feeds ("https://portail.example.org"); a territory's own
    #: host name, when it has one, wins for its links.
    PUBLIC_URL = "http://127.0.0.1:5000"
    #: Redis shared by every process and machine: job queue and rate limits. None: one machine.
    REDIS_URL = None
    #: Run jobs inside the caller at once (tests); otherwise a worker (`coopserv worker`) runs them.
    JOBS_IMMEDIATE = False
    #: The embedded queue's SQLite file (default: instance/jobs.sqlite).
    JOBS_SQLITE_PATH = None
    #: Plugin ticks run every TICK_MINUTES (a divisor of 60); daily jobs start at these UTC hours.
    TICK_MINUTES = 5
    DIGEST_HOUR = 6
    HOUSEKEEPING_HOUR = 3
    #: Log one JSON object per line (with the request id) instead of plain text.
    LOG_JSON = False
    #: /readyz answers 503 when no worker ran its heartbeat for this many seconds (None: only report it).
    READY_MAX_QUEUE_LAG = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = 25
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
        if key in _TEXT_KEYS:
            values[key] = raw
            continue
        values[key] = _parse(raw)
    return values


#: Variables kept as typed (a password of "0" or "yes" is text, not a boolean).
_TEXT_KEYS = {"MAIL_PASSWORD", "MAIL_USERNAME", "SECRET_KEY", "REDIS_URL"}


def apply_derived_settings(config):
    """Settings that follow from others: Redis also stores rate limits; the sender's default."""
    if config.get("REDIS_URL") and config.get("RATELIMIT_STORAGE_URI", "memory://") == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
    if not config.get("MAIL_DEFAULT_SENDER"):
        config["MAIL_DEFAULT_SENDER"] = config.get("MAIL_SENDER") or "coopserv@localhost"
    if isinstance(config.get("MAIL_PORT"), str):
        config["MAIL_PORT"] = int(config["MAIL_PORT"])


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
