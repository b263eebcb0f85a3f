"""Configuration defaults, the typed reading of COOPSERV_* variables, and the start-up checks."""
import math
import os
from collections import Counter
from dataclasses import dataclass

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
ENV_PREFIX = "COOPSERV_"
#: A production secret key is at least this long and carries at least this many estimated bits.
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_BITS = 96
SECRET_KEY_MIN_DISTINCT = 10


class DefaultConfig:
    """Values used unless instance/config.py or COOPSERV_* variables say otherwise."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # Resolved against the instance folder in create_app when left as None.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PRODUCTION = False
    BABEL_DEFAULT_LOCALE = "fr"
    #: Flask-Babel's own fallback; every request and job uses the territory's zone instead
    #: (coopserv.timeutil.babel_timezone: the territory's, else Europe/Paris).
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("fr", "en")
    # Plugins that may run on this instance; None means every installed plugin.
    ENABLED_PLUGINS = None
    PASSWORD_RESET_MAX_AGE = 3600
    #: How long an invitation link works (resending starts the period again).
    INVITATION_VALID_DAYS = 30
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
    #: Turned on by PRODUCTION (cookies then travel over HTTPS only), unless set explicitly.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None
    #: The largest request body accepted (bytes); bigger ones are answered 413.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: HSTS max-age sent in production (seconds); 0 turns the header off.
    HSTS_MAX_AGE = 31536000
    PAGE_SIZE = 25
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
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


class ConfigError(RuntimeError):
    """Raised at start-up when a setting cannot be used; the message names the setting and the fix."""


class InsecureConfigError(ConfigError):
    """Raised when a production instance would start with an unsafe setting."""


@dataclass(frozen=True)
class Setting:
    """How one setting is typed: ``kind`` is bool, int, list or str; ints may have bounds."""

    kind: str
    minimum: int | None = None
    maximum: int | None = None
    optional: bool = False


#: Settings whose type cannot be read from their default (None) or that need bounds. Other settings
#: of DefaultConfig take the type of their default; unknown ones stay text (true/false become booleans).
SETTINGS = {
    "PASSWORD_RESET_MAX_AGE": Setting("int", minimum=60, maximum=7 * 24 * 3600),
    "PAGE_SIZE": Setting("int", minimum=1, maximum=500),
    "MAX_CONTENT_LENGTH": Setting("int", minimum=1024, maximum=1024 ** 3),
    "HSTS_MAX_AGE": Setting("int", minimum=0, maximum=2 * 31536000),
    "ENABLED_PLUGINS": Setting("list", optional=True),
    "EXTRA_PLUGINS": Setting("list", optional=True),
    "SQLALCHEMY_DATABASE_URI": Setting("str", optional=True),
    "TESTING": Setting("bool"),
    "DEBUG": Setting("bool"),
    "RATELIMIT_ENABLED": Setting("bool"),
    "WTF_CSRF_TIME_LIMIT": Setting("int", minimum=60, optional=True),
    # Operations: e-mail, Redis, the job runner (text settings stay text: a password "0" is not false).
    "MAIL_SERVER": Setting("str", optional=True),
    "MAIL_PORT": Setting("int", minimum=1, maximum=65535),
    "MAIL_USERNAME": Setting("str", optional=True),
    "MAIL_PASSWORD": Setting("str", optional=True),
    "MAIL_DEFAULT_SENDER": Setting("str", optional=True),
    "MAIL_TIMEOUT": Setting("int", minimum=1, maximum=600),
    "REDIS_URL": Setting("str", optional=True),
    "JOBS_SQLITE_PATH": Setting("str", optional=True),
    "TICK_MINUTES": Setting("int", minimum=1, maximum=60),
    "DIGEST_HOUR": Setting("int", minimum=0, maximum=23),
    "HOUSEKEEPING_HOUR": Setting("int", minimum=0, maximum=23),
    "READY_MAX_QUEUE_LAG": Setting("int", minimum=1, optional=True),
}

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def setting_for(key):
    """The declared type of ``key``, from SETTINGS or the type of its default; None when unknown."""
    if key in SETTINGS:
        return SETTINGS[key]
    default = getattr(DefaultConfig, key, None)
    if isinstance(default, bool):
        return Setting("bool")
    if isinstance(default, int):
        return Setting("int")
    if isinstance(default, (tuple, list)):
        return Setting("list")
    if isinstance(default, str):
        return Setting("str")
    return None


def from_environment(environ=os.environ):
    """Read COOPSERV_* variables into typed config values; raise ConfigError naming a bad one."""
    values = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):]
        if key in ("DATABASE_URL", "INSTANCE_PATH"):
            if key == "DATABASE_URL":
                values["SQLALCHEMY_DATABASE_URI"] = raw
            continue
        values[key] = parse_setting(key, raw, source=name)
    return values


def parse_setting(key, raw, source=None):
    """Turn the text ``raw`` into the value ``key`` expects, or raise ConfigError."""
    setting = setting_for(key)
    text = raw.strip()
    source = source or key
    if setting is None:
        lowered = text.lower()
        if lowered in ("true", "yes", "false", "no"):
            return lowered in ("true", "yes")
        return raw
    if setting.optional and text == "":
        return None
    if setting.kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(f"{source}={raw!r}: expected a yes/no value (true, false, 1, 0).")
    if setting.kind == "int":
        try:
            return int(text, 10)
        except ValueError:
            raise ConfigError(f"{source}={raw!r}: expected a whole number.") from None
    if setting.kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    return raw


def apply_derived_settings(config):
    """Settings that follow from others: Redis also stores rate limits; the sender's default."""
    if config.get("REDIS_URL") and config.get("RATELIMIT_STORAGE_URI", "memory://") == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
    if not config.get("MAIL_DEFAULT_SENDER"):
        config["MAIL_DEFAULT_SENDER"] = config.get("MAIL_SENDER") or "coopserv@localhost"


def check_settings(config):
    """Check every typed setting's final value (whatever its source); raise ConfigError on the first bad one."""
    for key in sorted(set(SETTINGS) | {k for k in vars(DefaultConfig) if k.isupper()}):
        if key not in config:
            continue
        setting, value = setting_for(key), config[key]
        if setting is None or (value is None and setting.optional):
            continue
        if setting.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{key}={value!r}: expected a whole number.")
            if setting.minimum is not None and value < setting.minimum:
                raise ConfigError(f"{key}={value!r}: must be at least {setting.minimum}.")
            if setting.maximum is not None and value > setting.maximum:
                raise ConfigError(f"{key}={value!r}: must be at most {setting.maximum}.")
        elif setting.kind == "bool" and not isinstance(value, bool):
            raise ConfigError(f"{key}={value!r}: expected true or false.")


def check_production_safety(config):
    """Refuse to run in production with a published, short or guessable secret key."""
    if not config.get("PRODUCTION"):
        return
    key = config.get("SECRET_KEY")
    if key in (None, "", DEFAULT_SECRET_KEY):
        raise InsecureConfigError(
            "PRODUCTION is on but SECRET_KEY is the development default: "
            "set COOPSERV_SECRET_KEY or SECRET_KEY in instance/config.py."
        )
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if (len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_DISTINCT
            or estimated_bits(key) < SECRET_KEY_MIN_BITS):
        raise InsecureConfigError(
            f"PRODUCTION is on but SECRET_KEY is too short or too predictable (at least {SECRET_KEY_MIN_LENGTH} "
            "random characters): generate one with "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'."
        )


def estimated_bits(text):
    """Shannon estimate of the information in ``text`` (bits): low for repeated or patterned keys."""
    counts = Counter(text)
    total = len(text)
    per_character = -sum(n / total * math.log2(n / total) for n in counts.values())
    return per_character * total


def apply_production_defaults(config):
    """In production, the session (which also holds the CSRF token) and remember-me cookies go over HTTPS only."""
    if config.get("PRODUCTION"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
