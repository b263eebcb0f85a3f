"""coopserv: co-design services for companies and their employees, territory by territory."""
import os

from flask import Flask

__version__ = "0.1.0"


def create_app(config=None):
    """Build the app: defaults, instance/config.py, COOPSERV_* variables, then ``config``."""
    from coopserv import config as defaults
    from coopserv.api import init_api
    from coopserv.extensions import (
        babel,
        csrf,
        db,
        enforce_sqlite_foreign_keys,
        htmx,
        limiter,
        login_manager,
        migrate,
    )
    from coopserv.i18n import install_safe_template_gettext, select_locale, translation_directories
    from coopserv.jobs.queue import init_jobs
    from coopserv.input_guard import install_input_guard
    from coopserv.security import install_security
    from coopserv.plugin_host import PluginHost
    from coopserv.rollups.tracking import install_tracking
    from coopserv.tenancy import install_scoping
    from coopserv.web import JSONProvider, register_web

    class CoopservFlask(Flask):
        json_provider_class = JSONProvider

    app = CoopservFlask(__name__, instance_path=os.environ.get("COOPSERV_INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.config.from_object(defaults.DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(defaults.from_environment())
    if config:
        app.config.update(config)
    defaults.check_settings(app.config)
    defaults.apply_derived_settings(app.config)
    defaults.check_production_safety(app.config)
    defaults.apply_production_defaults(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "coopserv.sqlite")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers queue for the lock instead of failing at once when requests overlap.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    host = PluginHost()
    enabled = app.config.get("ENABLED_PLUGINS")
    if isinstance(enabled, str):
        enabled = [name.strip() for name in enabled.split(",") if name.strip()]
    extra = app.config.get("EXTRA_PLUGINS") or ()
    if isinstance(extra, str):
        extra = [name.strip() for name in extra.split(",") if name.strip()]
    host.load(enabled=enabled, extra_modules=extra)
    app.extensions["coopserv"] = host

    db.init_app(app)
    install_scoping()
    install_tracking()
    enforce_sqlite_foreign_keys()
    migrate.init_app(app, db, directory=migrations_directory())
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    install_input_guard(app)
    install_security(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(app, host))
    from coopserv.timeutil import babel_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=babel_timezone)
    install_safe_template_gettext(app.jinja_env)
    _import_models()
    init_jobs(app)
    register_web(app, host)
    _register_network_features(app)
    from coopserv.logs import init_logging

    init_logging(app)
    init_api(app, host)
    from coopserv.gc_freeze import install_gc_freeze

    install_gc_freeze(app)
    for command in host.commands():
        app.cli.add_command(command)
    # Configure the ORM mappers now, while the process starts, rather than in its first request.
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    return app


def _register_network_features(app):
    """Invitations, imports, public pages and the network of territories: one package each."""
    from coopserv.imports.views import bp as imports_bp
    from coopserv.invitations.admin_views import bp as invitation_admin_bp
    from coopserv.invitations.views import bp as invitations_bp
    from coopserv.network.practice_views import bp as practices_bp
    from coopserv.network.platform_views import bp as networks_bp
    from coopserv.network.views import bp as network_bp
    from coopserv.public.views import admin_bp as public_admin_bp
    from coopserv.public.views import bp as public_bp

    for blueprint in (invitations_bp, invitation_admin_bp, imports_bp, network_bp, networks_bp, practices_bp, public_bp,
                      public_admin_bp):
        app.register_blueprint(blueprint)


def migrations_directory():
    """Return the core's Alembic folder: inside the installed package, else the repository's migrations/.

    A wheel installs the repository's ``migrations/`` as ``coopserv/migrations``
    (see pyproject.toml); an editable install or a source checkout reads it in place.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "migrations")
    if os.path.isfile(os.path.join(installed, "env.py")):
        return installed
    return os.path.join(os.path.dirname(here), "migrations")


def _import_models():
    """Import every core model so the metadata is complete for Alembic and queries."""
    from coopserv.accounts import models as _accounts  # noqa: F401
    from coopserv.audit import models as _audit  # noqa: F401
    from coopserv.committee_indicators import models as _committee_indicators  # noqa: F401
    from coopserv.documents import models as _documents  # noqa: F401
    from coopserv.calendar import models as _calendar  # noqa: F401
    from coopserv.emails import models as _emails  # noqa: F401
    from coopserv.governance import models as _governance  # noqa: F401
    from coopserv.imports import models as _imports  # noqa: F401
    from coopserv.indicators import models as _indicators  # noqa: F401
    from coopserv.invitations import models as _invitations  # noqa: F401
    from coopserv.jobs import models as _jobs  # noqa: F401
    from coopserv.legal import models as _legal  # noqa: F401
    from coopserv.modules import models as _modules  # noqa: F401
    from coopserv.needs import models as _needs  # noqa: F401
    from coopserv.network import models as _network  # noqa: F401
    from coopserv.notifications import models as _notifications  # noqa: F401
    from coopserv.organizations import models as _organizations  # noqa: F401
    from coopserv.projects import models as _projects  # noqa: F401
    from coopserv.public import models as _public  # noqa: F401
    from coopserv.rollups import models as _rollups  # noqa: F401
    from coopserv.service_requests import models as _requests  # noqa: F401
    from coopserv.territories import models as _territories  # noqa: F401
    from coopserv.tokens import models as _tokens  # noqa: F401
