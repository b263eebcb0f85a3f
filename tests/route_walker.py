"""Walk every GET page of the app: routes are discovered from the URL map, arguments filled with real ids.

A minimal walker for the bounded-queries test (the robustness work may bring a
fuller one): for each territory route it fills ``<x_id>`` arguments with the
first row of the matching table in that territory (the plugin's own table when
several match, e.g. ``session_id`` on an IoT training page), ``service_key``
with each module of the territory, ``key`` with each indicator, ``token`` with
a smart-parking kiosk token. Routes it cannot fill are returned apart, so a
test can say which pages were left out.
"""
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select, text

from coopserv.extensions import db

TERRITORY_PREFIXES = ("/t/<territory_slug>", "/api/v1/territories/<territory_slug>")


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str
    api: bool


def territory_routes(app):
    """GET rules of territory pages and territory API endpoints, sorted by URL."""
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.rule.startswith(TERRITORY_PREFIXES)]
    return sorted(rules, key=lambda rule: rule.rule)


def pages_of(app, territory):
    """(pages, unfilled rules) of one territory: every GET route with its arguments filled."""
    pages, unfilled = [], []
    for rule in territory_routes(app):
        choices = _argument_choices(rule, territory)
        if choices is None:
            unfilled.append(rule.rule)
            continue
        for values in choices:
            with app.test_request_context():
                path = url_for(rule.endpoint, territory_slug=territory.slug, **values)
            pages.append(Page(rule.endpoint, path, rule.rule.startswith("/api/")))
    return pages, unfilled


def _argument_choices(rule, territory):
    """A list of argument dicts for the rule (several for service keys and indicators), or None."""
    names = sorted(rule.arguments - {"territory_slug"})
    prefix = rule.endpoint.split(".")[0]
    choices = [{}]
    for name in names:
        values = _values(name, prefix, territory)
        if not values:
            return None
        choices = [{**choice, name: value} for choice in choices for value in values]
    return choices


def _values(name, prefix, territory):
    params = {"t": territory.id}
    if name == "service_key":
        return db.session.scalars(text("SELECT service_key FROM service_module WHERE territory_id = :t "
                                       "AND enabled ORDER BY service_key"), params).all()
    if name == "key":
        from coopserv.indicators.services import territory_indicators
        from coopserv.tenancy import territory_scope

        with territory_scope(territory):
            return [indicator.key for indicator, _module in territory_indicators()]
    if name == "token":
        return db.session.scalars(text("SELECT kiosk_token FROM smart_parking_lot WHERE territory_id = :t "
                                       "ORDER BY id LIMIT 1"), params).all() if prefix == "smart_parking" else []
    if name == "slug":
        return [territory.slug]
    if not name.endswith("_id"):
        return []
    table = _table_for(name[:-3], prefix)
    if table is None:
        return []
    if table == "user":
        query = "SELECT user_id FROM membership WHERE territory_id = :t ORDER BY id LIMIT 1"
    else:
        query = f'SELECT id FROM "{table}" WHERE territory_id = :t ORDER BY id LIMIT 1'
    return db.session.scalars(text(query), params).all()


def _table_for(stem, prefix):
    """The table an ``<stem>_id`` argument names: ``stem`` itself, or ``<plugin>_<stem>`` for a plugin's page."""
    tables = {mapper.local_table.name for mapper in db.Model.registry.mappers}
    candidates = sorted(name for name in tables if name == stem or name.endswith("_" + stem))
    own = [name for name in candidates if name.startswith(prefix)]
    exact = [name for name in candidates if name == stem]
    # ``collective_id`` names ``collective_need``: the stem starts the table name.
    starting = sorted(name for name in tables if name.startswith(stem + "_"))
    chosen = own or exact or candidates or starting
    return chosen[0] if chosen else None


def territory_people(territory):
    """Every person with a role in the territory (one per role and module), by email."""
    from coopserv.accounts.models import Membership, User
    from coopserv.tenancy import ALL_TERRITORIES

    return db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.territory_id == territory.id).order_by(User.id).distinct()
        .execution_options(**{ALL_TERRITORIES: True})).all()
