"""pytest fixtures for coopserv and its plugins (loaded as the ``coopserv`` pytest plugin).

Every test gets a fresh application on a migrated database that is emptied
after the test: real commits, no flush-only tricks. The database is SQLite in a
temporary folder unless ``COOPSERV_DATABASE_URL`` names another (PostgreSQL in
CI). Factories return callables: ``make_territory(...)``, ``make_user(...)``.
"""
import contextvars
import os
import re

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from coopserv import create_app
from coopserv.accounts.services import grant_role
from coopserv.demo import seed_demo
from coopserv.extensions import db
from coopserv.modules.services import disable_module, indicator_values, stop_module, update_settings
from coopserv.notifications.models import Notification
from coopserv.privacy.services import erase_person, export_person
from coopserv.tokens.services import create_token

#: What plugin tests may import from here besides the fixtures (with coopserv.plugin_api, all they need).
__all__ = ["Notification", "TEST_PASSWORD", "api_headers", "create_token", "disable_module", "erase_person",
           "export_person", "grant_role", "indicator_values", "run_tick", "seed_demo", "stop_module",
           "update_settings"]

TEST_PASSWORD = "correct horse battery"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class CoopservClient(FlaskClient):
    """A test client that behaves like a browser against a real server.

    Each request runs in an empty context, so it gets its own application
    context, ``g`` and database session, as it would in a server process,
    instead of sharing the test's. The test's session is expired afterwards so
    it reads what the request committed. It also sends the CSRF token like a
    browser form does.
    """

    _csrf = None

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response

    def csrf_token(self):
        if self._csrf is None:
            page = self.get("/login").get_data(as_text=True)
            self._csrf = _CSRF_META.search(page).group(1)
        return self._csrf

    def post_form(self, url, data=None, **kwargs):
        """POST form fields with a valid CSRF token."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)

    def post_json(self, url, data=None, **kwargs):
        headers = {"X-CSRFToken": self.csrf_token(), "Accept": "application/json", **kwargs.pop("headers", {})}
        return self.post(url, json=data or {}, headers=headers, **kwargs)

    def login(self, user, password=TEST_PASSWORD):
        response = self.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self._csrf = None  # the session changed
        return response

    def logout(self):
        self.post_form("/logout")
        self._csrf = None


def _database_url(tmp_root):
    """The test database: COOPSERV_DATABASE_URL, else SQLite in the session's temporary folder.

    Under pytest-xdist each worker gets a PostgreSQL database of its own (``<name>_gw0``…),
    created on first use, because every worker drops and rebuilds its schema.
    """
    url = os.environ.get("COOPSERV_DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(tmp_root, "coopserv-test.sqlite")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and url.startswith("postgresql"):
        url = _worker_database(url, worker)
    return url


def _worker_database(url, worker):
    """Return the URL of this worker's own PostgreSQL database, creating it when missing."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": own.database}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _reset_schema(url):
    """Drop everything in the test database so migrations start from nothing."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def base_test_config(tmp_root, url):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": None,
        "MAIL_OUTBOX": os.path.join(tmp_root, "outbox"),
        # Jobs run inside the call that sends them, right after its commit: tests stay deterministic.
        "JOBS_IMMEDIATE": True,
        "MAIL_SERVER": None,
        "REDIS_URL": None,
        "PUBLIC_URL": "http://portal.test",
    }


@pytest.fixture(scope="session")
def coopserv_database(tmp_path_factory):
    """Create and migrate the test database once per session; yield (url, temp folder)."""
    from flask_migrate import upgrade

    root = str(tmp_path_factory.mktemp("coopserv"))
    url = _database_url(root)
    _reset_schema(url)
    app = create_app(base_test_config(root, url))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        db.engine.dispose()
    return url, root


@pytest.fixture
def app_config():
    """Override in a test module to change the configuration of the ``app`` fixture."""
    return {}


#: Apps built for this test session, by their test configuration. Building an app registers
#: every route of the core and plugins (a large part of a test's cost), so each configuration is
#: built once; every test still gets emptied tables, its own outbox and untouched settings.
_APPS = {}


def shared_app(coopserv_database, app_config=None):
    """The session's app for ``app_config`` (built once per configuration)."""
    url, root = coopserv_database
    app_config = app_config or {}
    key = repr(sorted(app_config.items(), key=lambda item: item[0]))
    application = _APPS.get(key)
    if application is None:
        config = base_test_config(root, url)
        config.update(app_config)
        application = _APPS[key] = create_app(config)
        application.test_client_class = CoopservClient
    return application


@pytest.fixture
def app(coopserv_database, app_config, tmp_path):
    """The app on the migrated test database, with its settings restored and tables emptied after the test."""
    from coopserv.extensions import limiter

    application = shared_app(coopserv_database, app_config)
    settings = dict(application.config)
    application.config["MAIL_OUTBOX"] = os.path.join(str(tmp_path), "outbox")
    limiter.reset()  # no test inherits another's sign-in attempts
    try:
        with application.app_context():
            yield application
            db.session.remove()
            _empty_tables()
            db.engine.dispose()
    finally:
        application.config.clear()
        application.config.update(settings)


@pytest.fixture(scope="module")
def demo_app(coopserv_database, tmp_path_factory):
    """The app with the four demo territories seeded once for the whole test module.

    Seeding costs seconds, so tests that only read (walking every page, counting queries) share
    one demo; its tables are emptied when the module ends. A module using ``demo_app`` must not
    also use ``app``, whose teardown empties the tables after each test.
    """
    from coopserv.demo import seed_demo
    from coopserv.extensions import limiter

    application = shared_app(coopserv_database)
    settings = dict(application.config)
    application.config["MAIL_OUTBOX"] = str(tmp_path_factory.mktemp("demo-outbox"))
    limiter.reset()
    try:
        with application.app_context():
            seed_demo()
            db.session.commit()
            yield application
            db.session.remove()
            _empty_tables()
            db.engine.dispose()
    finally:
        application.config.clear()
        application.config.update(settings)


def _empty_tables():
    """Delete every row of the tables that exist (a test may load a plugin whose tables do not).

    DELETE rather than TRUNCATE: on PostgreSQL, truncating some eighty nearly empty tables after
    every test costs more than the test itself.
    """
    from sqlalchemy import inspect as inspect_database

    with db.engine.begin() as connection:
        existing = set(inspect_database(connection).get_table_names())
        tables = [table.name for table in reversed(db.metadata.sorted_tables) if table.name in existing]
        for name in tables:
            connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def client(app):
    """A browser-like test client of the app (``CoopservClient``: ``login``, ``post_form``, ``post_json``)."""
    return app.test_client()


@pytest.fixture
def make_client(app):
    """Return a function giving a new, independent browser-like client (one per person)."""
    return app.test_client


@pytest.fixture
def make_territory(app):
    """Create a territory: ``make_territory("figeac", "Figeac")`` (slug and name made up when left out)."""
    from coopserv.territories.services import create_territory

    counter = iter(range(1, 10_000))

    def factory(slug=None, name=None, **fields):
        number = next(counter)
        return create_territory({"slug": slug or f"territory-{number}", "name": name or f"Territory {number}",
                                 **fields})

    return factory


@pytest.fixture
def make_organization(app):
    """Create an organization in a territory: ``make_organization(territory, "Figeac Aéro", employee_count=1200)``."""
    from coopserv.organizations.models import Organization
    from coopserv.tenancy import territory_scope

    counter = iter(range(1, 10_000))

    def factory(territory, name=None, **fields):
        with territory_scope(territory):
            organization = Organization(name=name or f"Company {next(counter)}", **fields)
            db.session.add(organization)
            db.session.commit()
            return organization

    return factory


@pytest.fixture
def make_user(app):
    """Create a user, optionally with a role in a territory: ``make_user(territory, "employee", org)``."""
    from coopserv.accounts.models import Membership
    from coopserv.accounts.services import create_user
    from coopserv.tenancy import territory_scope

    counter = iter(range(1, 100_000))

    def factory(territory=None, role=None, organization=None, module=None, email=None, name=None,
                password=TEST_PASSWORD, platform_admin=False, status="active"):
        number = next(counter)
        user = create_user(name or f"Person {number}", email or f"person{number}@example.org", password,
                           platform_admin=platform_admin)
        if territory is not None and role is not None:
            with territory_scope(territory):
                db.session.add(Membership(user_id=user.id, role=role, status=status, territory_id=territory.id,
                                          organization_id=organization.id if organization else None,
                                          module_id=module.id if module else None))
        db.session.commit()
        return user

    return factory


@pytest.fixture
def enable_module(app):
    """Enable a service in a territory: ``enable_module(territory, "concierge", stage="perennial")``."""
    from coopserv.modules.services import enable_module as enable
    from coopserv.modules.services import update_settings
    from coopserv.tenancy import territory_scope

    def factory(territory, service_key, stage="perennial", config=None, pilots=(), access="open"):
        with territory_scope(territory):
            module = enable(service_key, stage=stage, config=config)
            update_settings(module, {"stage": stage, "access": access,
                                     "pilot_organization_ids": [o.id for o in pilots]})
            return module

    return factory


@pytest.fixture
def scoped():
    """Run a block with a territory in scope: ``with scoped(territory): ...``."""
    from coopserv.tenancy import territory_scope

    return territory_scope


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's headless Chromium (COOPSERV_CHROMIUM overrides the path)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("COOPSERV_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Pages run under the app's Content-Security-Policy: any violation fails the test.
        violations = []
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        try:
            yield page
            assert violations == [], f"Content-Security-Policy violations: {violations}"
        finally:
            context.close()
            browser.close()


class ReceivedMail:
    """What the in-process SMTP server received: parsed messages, with helpers to read them."""

    def __init__(self):
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address):
        """Messages whose To header names ``address``."""
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self):
        self.messages.clear()
        self.envelopes.clear()

    @staticmethod
    def text(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message):
        return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free loopback port; the app sends to it. Yields ``ReceivedMail``."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = ReceivedMail()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                      MAIL_USERNAME=None)
    try:
        yield received
    finally:
        controller.stop()


# -- helpers for plugin tests ----------------------------------------------------------------------

def run_tick(territory, now=None):
    """Run every plugin's ``tick`` for ``territory`` (at ``now``, naive UTC), as ``coopserv tick`` does."""
    from coopserv.plugin_host import plugin_host
    from coopserv.tenancy import territory_scope
    from coopserv.timeutil import utcnow

    with territory_scope(territory):
        plugin_host().call_each("tick", territory=territory, now=now or utcnow())


def api_headers(user, territory, name="tests"):
    """Create a personal access token of ``user`` in ``territory``; return the headers that send it."""
    from coopserv.tenancy import territory_scope

    with territory_scope(territory):
        _token, secret = create_token(user, territory, name)
    return {"Authorization": f"Bearer {secret}", "Accept": "application/json"}


class FrozenClock:
    """The time every ``utcnow()`` of coopserv and its plugins answers, until the test ends."""

    def __init__(self, now):
        self.set(now)

    @property
    def now(self):
        from coopserv import timeutil

        return timeutil._frozen

    def set(self, now):
        """Stop the clock at ``now`` (a naive UTC datetime)."""
        from coopserv import timeutil

        timeutil._frozen = now
        return now

    def advance(self, **delta):
        """Move the clock on by a ``timedelta(**delta)`` (``minutes=15``, ``days=1``…); return the new time."""
        from datetime import timedelta

        return self.set(self.now + timedelta(**delta))


@pytest.fixture
def frozen_clock():
    """Freeze ``utcnow()`` (2030-01-07 09:00 UTC, a Monday, unless set): ``frozen_clock.advance(days=1)``."""
    from datetime import datetime

    from coopserv import timeutil

    clock = FrozenClock(datetime(2030, 1, 7, 9, 0))
    try:
        yield clock
    finally:
        timeutil._frozen = None


#: Roles given to the people of a peopled territory, by the attribute that holds them.
PEOPLE = {"employee": "employee", "colleague": "employee", "referent": "company_referent",
          "governance": "governance_member", "admin": "territory_admin", "operator": "service_operator"}


@pytest.fixture
def make_peopled_territory(make_territory, make_organization, make_user, enable_module):
    """Return a factory of a territory with organizations, people in every role and enabled modules.

    ``make_peopled_territory("figeac", "Figeac", services=("concierge",))`` gives a namespace with
    ``territory``, ``organizations`` (two, or ``organizations=[(name, employees), …]``),
    ``modules`` by service key and ``module`` (the first), and people: ``employee`` (first
    organization), ``colleague`` (second), ``referent`` (company referent of the first),
    ``governance``, ``admin`` and ``operator`` (of every enabled module). ``emails`` maps those
    names to addresses; ``stage``, ``config`` (by service key) and ``pilots`` go to ``enable_module``.
    """
    def factory(slug, name, services=(), organizations=None, emails=None, stage="perennial", config=None,
                pilots=False):
        territory = make_territory(slug, name)
        organizations = [make_organization(territory, org_name, employee_count=count)
                         for org_name, count in (organizations or [(f"{name} Industrie", 120), (f"{name} Bois", 15)])]
        modules = {key: enable_module(territory, key, stage=stage, config=(config or {}).get(key),
                                      pilots=organizations if pilots else ())
                   for key in services}
        emails = emails or {}
        people = {}
        for handle, role in PEOPLE.items():
            organization = {"employee": organizations[0], "referent": organizations[0],
                            "colleague": organizations[-1]}.get(handle)
            first_module = next(iter(modules.values()), None) if role == "service_operator" else None
            people[handle] = make_user(territory, role, organization, module=first_module,
                                       email=emails.get(handle) or f"{handle}@{slug}.example",
                                       name=f"{handle.capitalize()} of {name}")
        if len(modules) > 1:
            from coopserv.accounts.models import Membership
            from coopserv.tenancy import territory_scope

            with territory_scope(territory):
                for module in list(modules.values())[1:]:
                    db.session.add(Membership(user_id=people["operator"].id, role="service_operator",
                                              status="active", territory_id=territory.id, module_id=module.id))
                db.session.commit()
        from types import SimpleNamespace

        return SimpleNamespace(territory=territory, organizations=organizations, modules=modules,
                               module=next(iter(modules.values()), None), **people)

    return factory


@pytest.fixture
def make_world(make_peopled_territory):
    """Return a factory of two peopled territories with the same services: ``home`` and ``away``.

    ``world = make_world("concierge")``: ``world.home`` is Figeac, ``world.away`` Autun Morvan
    (see ``make_peopled_territory``); isolation tests check that people of one never reach the other.
    """
    def factory(*services, stage="perennial", config=None):
        from types import SimpleNamespace

        home = make_peopled_territory("figeac", "Figeac", services, stage=stage, config=config)
        away = make_peopled_territory("autun-morvan", "Autun Morvan", services, stage=stage, config=config)
        return SimpleNamespace(home=home, away=away)

    return factory


# -- the route isolation test every plugin gets for free (coopserv/route_isolation.py) --------------

class RouteIsolation(pytest.Module):
    """coopserv's route isolation tests, collected beside a plugin's tests (its ``tests/conftest.py``)."""

    coopserv_owner = None

    def _getobj(self):
        from coopserv import route_isolation

        return route_isolation


def pytest_collect_file(file_path, parent):
    """Add the route isolation test to the tests of every installed plugin, when its folder is collected."""
    if file_path.name != "conftest.py":
        return None
    owner = _plugin_tested_in(str(file_path.parent))
    if owner is None:
        return None
    collector = RouteIsolation.from_parent(parent, path=file_path)
    collector.coopserv_owner = owner
    return collector


def _plugin_tested_in(folder):
    """(entry point name, package) of the installed plugin whose tests live in ``folder``, or None."""
    parent = os.path.dirname(os.path.abspath(folder))
    for name, package, package_dir in _installed_plugins():
        if os.path.basename(folder) == "tests" and parent in (package_dir, os.path.dirname(package_dir)):
            return name, package
    return None


_PLUGINS = []


def _installed_plugins():
    """(name, package, package folder) of every plugin of the coopserv.plugins entry-point group."""
    import importlib.util
    from importlib.metadata import entry_points

    if not _PLUGINS:
        for entry_point in entry_points(group="coopserv.plugins"):
            try:
                spec = importlib.util.find_spec(entry_point.value)
            except (ImportError, ValueError):
                continue
            if spec is not None and spec.submodule_search_locations:
                folder = os.path.abspath(list(spec.submodule_search_locations)[0])
                _PLUGINS.append((entry_point.name, entry_point.value, folder))
        _PLUGINS.append(("", "", ""))  # searched once, even when nothing is installed
    return [plugin for plugin in _PLUGINS if plugin[0]]


#: What an employee reads on the portal while a service's prerequisites are missing (French, the default).
SERVICE_NOT_READY = "Ce service n’est pas encore disponible : il est en cours de mise en place."


def prerequisite_checklist(client, slug, service_key):
    """(to do, done) counts of the checklist on the admin's service page, signed in as ``client``."""
    page = client.get(f"/t/{slug}/admin/modules/{service_key}").get_data(as_text=True)
    assert "prerequisites-h" in page, "the service page shows no prerequisites"
    return page.count('class="todo"'), page.count('class="done"'), page


def service_offered(client, slug):
    """Whether the portal home tells the signed-in employee a service is not ready (False) or not (True)."""
    import html

    return SERVICE_NOT_READY not in html.unescape(client.get(f"/t/{slug}/").get_data(as_text=True))


def give_towns(territory, insee_codes):
    """Give ``territory`` these communes of the official administrative division as its towns."""
    from coopserv.territories.services import add_towns, towns_from_division

    return add_towns(territory, towns_from_division(insee_codes=insee_codes))
