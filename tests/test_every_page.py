"""Every GET page of the core and of every installed plugin, as every demo role, in French and
English: no answer is a 5xx.

Routes are discovered from the URL map (coopserv.testing_routes), so a page a plugin adds is walked
without editing this file; URL variables are filled with real ids of the demo data, seeded once
for the module. Core pages are walked in Figeac (three services, governance, needs and projects);
a plugin's pages in every demo territory where one of its services is enabled. API routes are
called with a personal access token of the same person.
"""
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import select

from coopserv import create_app
from coopserv.demo import DEMO_PASSWORD, PLATFORM_ADMIN_EMAIL
from coopserv.testing_routes import discover_routes, route_urls, url_values

#: One worker walks the whole module, so the demo is seeded once (pytest runs with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("demo")
LANGUAGES = ("fr", "en")
CORE_TERRITORY = "figeac"


def _collect_routes():
    app = create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    host = app.extensions["coopserv"]
    return [pytest.param(route, host.service_type_plugin, id=f"{route.rule} {route.endpoint}")
            for route in discover_routes(app)]


ROUTES = _collect_routes()


@pytest.fixture(scope="module")
def visitors(demo_app):
    """Signed-in clients of each demo territory: one per distinct role (and operated module), per language."""
    from coopserv.accounts.models import Membership, User
    from coopserv.extensions import db, limiter
    from coopserv.territories.models import Territory
    from coopserv.tokens.services import create_token

    territories = {t.slug: t for t in db.session.scalars(select(Territory))}
    platform_admin = db.session.scalar(select(User).filter_by(email=PLATFORM_ADMIN_EMAIL))
    people = {}
    for slug, territory in territories.items():
        rows = db.session.execute(
            select(Membership.role, Membership.module_id, Membership.user_id)
            .where(Membership.territory_id == territory.id, Membership.status == "active")
            .order_by(Membership.user_id)
            .execution_options(all_territories=True)
        ).all()
        chosen = {}
        for role, module_id, user_id in rows:
            chosen.setdefault((role, module_id), user_id)
        users = {db.session.get(User, user_id) for user_id in chosen.values()} | {platform_admin}
        people[slug] = sorted(users, key=lambda user: user.email)

    clients = {}
    for slug, users in people.items():
        territory = territories[slug]
        for language in LANGUAGES:
            anonymous = demo_app.test_client()
            _choose_language(anonymous, language)
            clients[(slug, "anonymous", language)] = SimpleNamespace(client=anonymous, token=None)
            for user in users:
                client = demo_app.test_client()
                response = client.post_form("/login", {"email": user.email, "password": DEMO_PASSWORD})
                assert response.status_code == 302, f"{user.email} could not sign in"
                client._csrf = None
                _choose_language(client, language)
                limiter.reset()
                clients[(slug, user.email, language)] = SimpleNamespace(client=client, token=None)
        for user in users:
            from coopserv.tenancy import territory_scope

            with territory_scope(territory):
                _token, secret = create_token(user, territory, "every page")
            for language in LANGUAGES:
                clients[(slug, user.email, language)].token = secret
    return SimpleNamespace(territories=territories, clients=clients)


def _choose_language(client, language):
    response = client.post_form("/language", {"lang": language, "next": "/"})
    assert response.status_code == 302
    client._csrf = None


def _walks(route, service_type_plugin, visitors):
    """(territory, urls) to request: a plugin's pages in each territory using its services; a core
    page in Figeac, or in the first territory whose demo data fills its URL (a meeting, an event)."""
    territories = sorted(visitors.territories.values(), key=lambda t: (t.slug != CORE_TERRITORY, t.slug))
    if route.plugin_key is not None and route.in_territory:
        from coopserv.extensions import db
        from coopserv.modules.models import ServiceModule

        keys = {key for key, plugin in service_type_plugin.items() if plugin == route.plugin_key}
        using = set(db.session.scalars(select(ServiceModule.territory_id).where(ServiceModule.service_key.in_(keys))
                                       .execution_options(all_territories=True)))
        return [(t, route_urls(current_app, route, t, url_values(t))) for t in territories if t.id in using]
    for territory in territories:
        urls = route_urls(current_app, route, territory, url_values(territory))
        if urls or not route.in_territory:
            return [(territory, urls)]
    return []


def test_the_walk_covers_the_core_and_every_installed_plugin():
    host = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
                      ).extensions["coopserv"]
    owners = {param.values[0].owner for param in ROUTES}
    plugins_with_pages = {name for name, info in host.infos.items() if name != "core" and info.error is None} \
        - {"spouse_welcome_api"}
    assert "core" in owners
    assert {"concierge", "spouse_welcome", "childminder_house", "iot_training", "mobility", "smart_parking"} <= owners
    assert owners - {"core"} <= plugins_with_pages


@pytest.mark.parametrize(("route", "service_type_plugin"), ROUTES)
def test_no_page_answers_a_server_error(visitors, route, service_type_plugin):
    failures, requested = [], 0
    for territory, urls in _walks(route, service_type_plugin, visitors):
        for (slug, who, language), visitor in visitors.clients.items():
            if slug != territory.slug:
                continue
            headers = {"Authorization": f"Bearer {visitor.token}"} if route.is_api and visitor.token else {}
            for url in urls:
                response = visitor.client.get(url, headers=headers)
                requested += 1
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {url} as {who} ({language})")
    assert not failures, "\n".join(failures)
    assert requested or not route.arguments - {"territory_slug"}, f"{route.rule} was never requested"
