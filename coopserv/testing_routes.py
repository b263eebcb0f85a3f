"""Walk the URL map with real values: every route of the core and of each installed plugin.

Test helpers (the every-page smoke test, bounded-queries tests) discover routes here instead of
listing them, and fill each URL variable from what the database holds, so a route a plugin adds
tomorrow is walked without editing a test. A variable nobody knows how to fill raises
``UnfilledArgument`` naming it, so it is never silently skipped.

    routes = discover_routes(app)                       # [Route(...)], GET routes by default
    values = url_values(territory)                      # {"request_id": [12], "service_key": [...]}
    for route in routes:
        for url in route_urls(app, route, territory, values):
            client.get(url)

Ids come from the tables themselves: ``lot_id`` in the ``smart_parking`` blueprint is the first
row of ``smart_parking_lot`` in the territory, ``request_id`` of ``service_request`` (a table named
after the variable, with or without the blueprint's prefix). ``RESOLVERS`` holds the few values that
are not ids (service keys, indicator keys, tokens); pass ``extra_resolvers`` for more.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from coopserv.extensions import db

#: URL variables that are not row ids, by name or by (blueprint, name); each returns a list of values.
RESOLVERS = {}
#: Variables whose table the naming rule cannot guess, by (blueprint, name).
TABLES = {
    ("modules", "member_id"): "module_member",
    ("governance", "action_id"): "governance_action_item",
    ("governance", "item_id"): "governance_agenda_item",
    ("api_governance", "item_id"): "governance_agenda_item",
    ("concierge", "item_id"): "concierge_catalog_item",
    ("api_network", "event_id"): "network_event",
    ("public", "event_id"): "governance_event",
    ("public_admin", "event_id"): "governance_event",
    ("api_events", "event_id"): "governance_event",
    ("api_public_events", "event_id"): "governance_event",
    ("api_public_events", "registration_id"): "public_registration",
    ("public_admin", "registration_id"): "public_registration",
}
#: Endpoints never walked: static files (no page); blueprints' ``<name>.static`` are skipped too.
SKIPPED_ENDPOINTS = {"static"}
#: Every method a route may answer that a test may send (HEAD and OPTIONS follow GET).
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class UnfilledArgument(LookupError):
    """A URL variable for which neither a resolver nor a table gives a value."""


@dataclass(frozen=True)
class Route:
    """One rule of the URL map, with what a walker needs to know about it."""

    rule: str
    endpoint: str
    methods: frozenset
    arguments: frozenset
    blueprint: str | None
    #: The plugin that registered the blueprint ("core" for coopserv's own).
    owner: str = "core"
    defaults: dict = field(default_factory=dict, compare=False, hash=False)
    #: Variable name -> converter class (werkzeug's ``IntegerConverter``, coopserv's bounded one...).
    converters: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def in_territory(self):
        return "territory_slug" in self.arguments

    @property
    def is_api(self):
        return self.rule.startswith("/api/")

    @property
    def plugin_key(self):
        """The plugin's name when a plugin owns the route, else None."""
        return None if self.owner == "core" else self.owner


def discover_routes(app, methods=("GET",)):
    """Every rule answering one of ``methods``, core and plugins alike, sorted by rule.

    The one route discovery of the test helpers: the every-page walk, the route isolation test
    each plugin gets (coopserv.route_isolation) and the core's isolation test all start here.
    """
    owners = _blueprint_owners(app)
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.endswith(".static") or \
                not set(methods) & rule.methods:
            continue
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else None
        routes.append(Route(rule=rule.rule, endpoint=rule.endpoint, methods=frozenset(rule.methods & set(methods)),
                            arguments=frozenset(rule.arguments), blueprint=blueprint,
                            owner=owners.get(blueprint, "core"), defaults=dict(rule.defaults or {}),
                            converters={name: type(converter) for name, converter in rule._converters.items()}))
    return sorted(routes, key=lambda route: (route.rule, route.endpoint))


def _blueprint_owners(app):
    """Blueprint name -> plugin name, for blueprints whose code lives in a plugin's package."""
    host = app.extensions["coopserv"]
    packages = {}
    for name, info in host.infos.items():
        module = getattr(info, "module", None) or getattr(info, "module_name", None)
        module_name = module if isinstance(module, str) else getattr(module, "__name__", None)
        if name != "core" and module_name:
            packages[module_name] = name
    owners = {}
    for blueprint_name, blueprint in app.blueprints.items():
        for package, plugin in packages.items():
            if owned_by(blueprint.import_name, package):
                owners[blueprint_name] = plugin
    return owners


def owned_by(import_name, package):
    """Tell whether code imported as ``import_name`` belongs to the package ``package``."""
    return import_name == package or import_name.startswith(package + ".")


def url_values(territory, extra_resolvers=None):
    """Values for URL variables in ``territory``: a dict filled lazily, variable by variable."""
    return _Values(territory, {**RESOLVERS, **(extra_resolvers or {})})


class _Values:
    """Look values up once per (blueprint, variable); ``get(route, name)`` returns a list."""

    def __init__(self, territory, resolvers):
        self.territory, self.resolvers, self.cache = territory, resolvers, {}

    def get(self, route, name):
        key = (route.blueprint, name)
        if key not in self.cache:
            self.cache[key] = self._resolve(route, name)
        return self.cache[key]

    def _resolve(self, route, name):
        resolver = self.resolvers.get((route.blueprint, name)) or self.resolvers.get(name)
        if resolver is not None:
            return list(resolver(self.territory, route))
        if name.endswith("_id"):
            return first_row_id(self.territory, table_for(route.blueprint, name[:-3]))
        raise UnfilledArgument(f"{route.rule}: no value for <{name}>; add a resolver to "
                               "coopserv.testing_routes.RESOLVERS (or pass extra_resolvers).")


class PlaceholderValues:
    """A value of the right type for every URL variable (1 for numbers, ``service_key``, else "x").

    For tests that expect a refusal whatever the object (people of another territory): the URL
    only has to reach the view. ``get`` answers like ``url_values(...).get``.
    """

    def __init__(self, service_key="x"):
        self.service_key = service_key

    def get(self, route, name):
        from werkzeug.routing.converters import NumberConverter

        if issubclass(route.converters.get(name, str), NumberConverter):
            return [1]
        return [self.service_key if name == "service_key" else "x"]


def table_for(blueprint, noun):
    """The table holding ``<noun>_id`` rows for a route of ``blueprint`` (naming rule, then TABLES)."""
    tables = set(db.metadata.tables)
    if (blueprint, f"{noun}_id") in TABLES:
        return TABLES[(blueprint, f"{noun}_id")]
    for exact in (f"{blueprint}_{noun}", noun):
        if exact in tables:
            return exact
    ending = sorted(t for t in tables if t.endswith(f"_{noun}"))
    starting = sorted(t for t in tables if t.startswith(f"{noun}_"))
    for near in (ending, starting):
        own = [t for t in near if blueprint and t.startswith(f"{blueprint}_")]
        if len(own) == 1:
            return own[0]
        if len(near) == 1:
            return near[0]
    near = ending + starting
    raise UnfilledArgument(f"<{noun}_id> in blueprint {blueprint!r}: tables {near or 'none'} match; "
                           "name it in coopserv.testing_routes.TABLES.")


def first_row_id(territory, table_name):
    """The smallest id of ``table_name`` in the territory (a member's id for ``user``); [] when empty."""
    table = db.metadata.tables[table_name]
    if table_name == "user":
        membership = db.metadata.tables["membership"]
        query = select(membership.c.user_id).where(membership.c.territory_id == territory.id)
        column = membership.c.user_id
    else:
        query = select(table.c.id)
        column = table.c.id
        if "territory_id" in table.c:
            query = query.where(table.c.territory_id == territory.id)
    # Through the engine, not the session: the walker reads across the tenancy guard on purpose.
    with db.engine.connect() as connection:
        value = connection.execute(query.order_by(column).limit(1)).scalar()
    return [] if value is None else [value]


def route_urls(app, route, territory, values, every_value=("service_key",)):
    """The URLs of ``route`` in ``territory``: one per value of the variables in ``every_value``.

    Other variables take their first value. A route whose variable has no value at all (no row
    yet) gives no URL; one nobody knows how to fill raises UnfilledArgument.
    """
    names = sorted(route.arguments - {"territory_slug"} - set(route.defaults))
    combinations = [{}]
    for name in names:
        found = values.get(route, name)
        if not found:
            return []
        choices = found if name in every_value else found[:1]
        combinations = [dict(c, **{name: v}) for c in combinations for v in choices]
    adapter = app.url_map.bind("localhost")
    urls = []
    for arguments in combinations:
        if route.in_territory:
            arguments = dict(arguments, territory_slug=territory.slug)
        urls.append(adapter.build(route.endpoint, arguments, method="GET" if "GET" in route.methods
                                  else sorted(route.methods)[0], append_unknown=False))
    return urls


# -- resolvers for variables that are not ids ----------------------------------------------------

def _service_keys(territory, route):
    modules = db.metadata.tables["service_module"]
    host_keys = set(_host().service_types)
    with db.engine.connect() as connection:
        keys = connection.execute(select(modules.c.service_key).where(modules.c.territory_id == territory.id)
                                  .order_by(modules.c.service_key)).scalars().all()
    return [key for key in keys if key in host_keys]


def _indicator_keys(territory, route):
    """A core indicator and one of each enabled service's, to keep the walk short."""
    keys = set(_service_keys(territory, route))
    chosen, seen_services = [], set()
    registry = _host().indicators
    for indicator in registry.values() if isinstance(registry, Mapping) else registry:
        owner = indicator.service_key
        if owner is None and None not in seen_services or owner in keys and owner not in seen_services:
            chosen.append(indicator.key)
            seen_services.add(owner)
    return chosen


def _territory_slug(territory, route):
    return [territory.slug]


def _reset_token(territory, route):
    from coopserv.accounts.models import User
    from coopserv.accounts.services import make_reset_token

    user = db.session.scalar(select(User).order_by(User.id).limit(1))
    if user is None:
        return []
    from flask import current_app

    with current_app.test_request_context():
        return [make_reset_token(user)]


def _kiosk_token(territory, route):
    table = db.metadata.tables.get("smart_parking_lot")
    if table is None:
        return []
    with db.engine.connect() as connection:
        token = connection.execute(select(table.c.kiosk_token).where(table.c.territory_id == territory.id)
                                   .order_by(table.c.id).limit(1)).scalar()
    return [] if token is None else [token]


def _network_slugs(territory, route):
    """The networks the territory belongs to (network pages and API are walked with its people)."""
    networks, members = db.metadata.tables["network"], db.metadata.tables["network_territory"]
    with db.engine.connect() as connection:
        return connection.execute(select(networks.c.slug).join(members, members.c.network_id == networks.c.id)
                                  .where(members.c.territory_id == territory.id).order_by(networks.c.id)).scalars().all()


def _invitation_token(territory, route):
    from coopserv.invitations.models import PENDING, Invitation
    from coopserv.invitations.services import token_for
    from coopserv.tenancy import ALL_TERRITORIES

    invitation = db.session.scalar(select(Invitation).where(Invitation.territory_id == territory.id,
                                                            Invitation.status == PENDING)
                                   .order_by(Invitation.id).limit(1).execution_options(**{ALL_TERRITORIES: True}))
    if invitation is None:
        return []
    from flask import current_app

    with current_app.test_request_context():
        return [token_for(invitation)]


def _required_page_kinds(territory, route):
    from coopserv.legal.models import KINDS

    return list(KINDS)


def _logo_names(territory, route):
    """The territory's uploaded logo, or a name that is not one (the route answers 404, never 500)."""
    return [territory.logo_file or "no-such-logo.png"]


def _calendar_secrets(territory, route):
    """A secret that opens no feed (the page answers 404): private feeds are made on a person's settings page."""
    return ["no-such-feed-secret"]


def _unsubscribe_tokens(territory, route):
    """A real signed link for a category, and a forged one (404)."""
    from flask import current_app

    from coopserv.emails.services import unsubscribe_token

    with current_app.test_request_context():
        return [unsubscribe_token("needs", address="someone@example.org"), "forged-token"]


def _import_kinds(territory, route):
    from coopserv.imports.parsing import KINDS

    return list(KINDS)


def _first_row_id(table_name, territory):
    table = db.metadata.tables.get(table_name)
    if table is None:
        return None
    with db.engine.connect() as connection:
        return connection.execute(select(table.c.id).where(table.c.territory_id == territory.id)
                                  .order_by(table.c.id).limit(1)).scalar()


def _ngsi_entity_ids(territory, route):
    """A lot's and a spot's NGSI-LD ids, as the smart parking plugin names them."""
    ids = []
    for kind, table_name in (("OffStreetParking", "smart_parking_lot"), ("ParkingSpot", "smart_parking_spot")):
        row_id = _first_row_id(table_name, territory)
        if row_id is not None:
            ids.append(f"urn:ngsi-ld:{kind}:{territory.slug}:{row_id}")
    return ids or [f"urn:ngsi-ld:ParkingSpot:{territory.slug}:0"]


def _host():
    from coopserv.plugin_host import plugin_host

    return plugin_host()


RESOLVERS.update({
    "service_key": _service_keys,
    "key": _indicator_keys,
    "slug": _territory_slug,
    ("accounts", "token"): _reset_token,
    ("smart_parking", "token"): _kiosk_token,
    "network_slug": _network_slugs,
    ("invitations", "token"): _invitation_token,
    ("imports", "kind"): _import_kinds,
    ("legal_admin", "kind"): _required_page_kinds,
    ("branding", "name"): _logo_names,
    ("calendar", "secret"): _calendar_secrets,
    ("emails", "token"): _unsubscribe_tokens,
    ("smart_parking_ngsi_ld", "entity_id"): _ngsi_entity_ids,
    ("mobility_feeds", "feed"): lambda territory, route: ["system_information", "vehicle_types",
                                                          "station_information", "station_status"],
})
