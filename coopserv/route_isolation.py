"""Tenant isolation over every route of a plugin: run for free by coopserv's pytest plugin.

When pytest collects a plugin's tests folder (its ``tests/conftest.py``), ``coopserv.testing``
adds ``test_route_refuses_people_of_another_territory`` for each route the plugin registers
under ``/t/<territory_slug>/`` or ``/api/v1/territories/<territory_slug>/`` (read from the URL
map, so a new route is checked without writing anything). On Figeac's URL, the employee,
company referent, governance member, admin and operator of Autun Morvan, and an anonymous
visitor, are refused (401, 403, 404 or sent to sign in), see none of Figeac's people or
organizations, and change none of Figeac's rows. URL variables take a generic value (``1``
for numbers, the plugin's service key for ``service_key``, ``x`` otherwise); a plugin's own
tests check its pages with real objects.
"""
import html
from functools import lru_cache

import pytest

from coopserv.testing_routes import ALL_METHODS, PlaceholderValues, discover_routes, owned_by, route_urls

ROLES = ("employee", "referent", "governance", "admin", "operator")


@lru_cache(maxsize=None)
def _collection_app():
    from coopserv import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def territory_routes(app, plugin):
    """(method, Route) of every route of ``plugin`` (its entry point name) that names a territory."""
    return [(method, route) for route in discover_routes(app, ALL_METHODS)
            if route.owner == plugin and route.in_territory for method in sorted(route.methods)]


def pytest_generate_tests(metafunc):
    """One test per route of the plugin whose tests are being collected."""
    owner = getattr(metafunc.definition.parent, "coopserv_owner", None)
    if owner is None or "route" not in metafunc.fixturenames:
        return
    routes = territory_routes(_collection_app(), owner[0])
    metafunc.parametrize("route", routes or [None],
                         ids=[f"{method} {route.rule}" for method, route in routes] or ["no territory route"])


def _send(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": client.csrf_token()})


def _refused(response):
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _home_rows(world):
    """How many rows of each tenant table belong to the home territory."""
    from sqlalchemy import func, inspect, select

    from coopserv.extensions import db
    from coopserv.tenancy import ALL_TERRITORIES, TenantMixin

    db.session.expire_all()
    existing = set(inspect(db.engine).get_table_names())
    counts = {}
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if issubclass(mapper.class_, TenantMixin) and table.name in existing:
            counts[table.name] = db.session.scalar(
                select(func.count()).select_from(table).where(table.c.territory_id == world.home.territory.id)
                .execution_options(**{ALL_TERRITORIES: True}))
    return counts


def test_route_refuses_people_of_another_territory(app, isolation_world, route):
    """People of Autun Morvan, and anonymous visitors, get nothing of Figeac on any of the plugin's routes."""
    world = isolation_world
    if route is None:
        assert world.routes == [], "the plugin has territory routes but none was collected"
        return
    method, route = route
    url = route_urls(app, route, world.home.territory, PlaceholderValues(world.service_key))[0]
    before = _home_rows(world)
    for role, client in [*world.away_clients.items(), ("anonymous", app.test_client())]:
        response = _send(client, method, url)
        assert response.status_code < 500, f"{role} of Autun crashed {method} {url}"
        assert _refused(response), f"{role} of Autun got {response.status_code} on {method} {url}"
        page = html.unescape(response.get_data(as_text=True))
        leaked = [secret for secret in world.secrets if secret in page]
        assert leaked == [], f"{role} of Autun saw {leaked} on {method} {url}"
    assert _home_rows(world) == before, f"{method} {url} by people of Autun changed Figeac's rows"


@pytest.fixture
def isolation_world(request, app, make_world, make_client):
    """Figeac and Autun Morvan peopled in every role, the plugin's services enabled in both."""
    module_name = getattr(request.node.parent, "coopserv_owner", (None, None))[1]
    host = app.extensions["coopserv"]
    keys = sorted(key for key, kind in host.service_types.items()
                  if module_name and owned_by(getattr(_plugin_module(host, key), "__name__", ""), module_name))
    world = make_world(*keys)
    world.service_key = keys[0] if keys else "x"
    plugin = getattr(request.node.parent, "coopserv_owner", (None, None))[0]
    world.routes = territory_routes(app, plugin) if plugin else []
    world.away_clients = {}
    for role in ROLES:
        client = make_client()
        client.login(getattr(world.away, role))
        world.away_clients[role] = client
    world.secrets = [getattr(world.home, role).email for role in ROLES] + [
        getattr(world.home, role).name for role in ROLES] + [o.name for o in world.home.organizations]
    return world


def _plugin_module(host, service_key):
    return host.plugin_for(service_key)
