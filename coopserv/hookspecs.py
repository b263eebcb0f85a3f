"""Every hook a coopserv plugin may implement, grouped by lifecycle.

Each docstring is the contract: when the hook is called, what it receives and
what it returns. ``register_*`` hooks are called at start-up and return lists
(pluggy concatenates them). Notification hooks are named after the event in the
past tense and return nothing. A hook that raises is logged and that plugin's
answer is left out; the call goes on for the other plugins. Hooks about one
module or one request (tenant lifecycle, requests, demo data) are called only
for the plugin owning that module's service; ``any_request_changed`` lets any
plugin watch every request.
"""
import pluggy

hookspec = pluggy.HookspecMarker("coopserv")
hookimpl = pluggy.HookimplMarker("coopserv")


# ---------------------------------------------------------------------------
# App assembly: called once, inside create_app.
# ---------------------------------------------------------------------------

@hookspec
def register_service_types():
    """Declare the service types this plugin provides.

    Called once while the app is built. Returns a list of
    ``coopserv.plugin_api.ServiceType``; each also carries what the plugin brings
    with it (blueprints, API blueprints, indicators, personal data, commands,
    migrations and translations folders), so the ``register_*`` hooks below are
    needed only for things that come without a service. Two plugins declaring
    the same key stop start-up with an error naming both.
    """


@hookspec
def register_blueprints():
    """Provide Flask blueprints (portal pages, operator views, API endpoints).

    Called once while the app is built. Returns a list of ``flask.Blueprint``.
    Blueprints made with ``plugin_api.territory_blueprint`` live under
    ``/t/<territory_slug>/`` and get the territory loaded and checked.
    """


@hookspec
def register_api_blueprints():
    """Add REST endpoints under /api/v1, documented in the same OpenAPI file.

    Called once while the app is built. Returns a list of
    ``flask_smorest.Blueprint``; make them with
    ``plugin_api.territory_api_blueprint`` so the territory is loaded and the
    access token checked like the core's endpoints.
    """


@hookspec
def register_migration_directories():
    """Name folders of Alembic revisions for the plugin's tables (pip-installed plugins).

    Called once while the app is built. Returns a list of absolute paths, added
    to Alembic's version locations. A plugin's first revision sets
    ``down_revision = None``, ``branch_labels = ("<plugin>",)`` and
    ``depends_on = "0001_core"``; ``coopserv upgrade`` applies every branch.
    Built-in plugins do the same (``plugins/<name>/migrations/versions``).
    """


@hookspec
def register_translation_directories():
    """Name folders holding the plugin's gettext catalogs (``<lang>/LC_MESSAGES/messages.mo``).

    Called once while the app is built. Returns a list of absolute paths,
    merged into the app's catalog.
    """


@hookspec
def register_indicators():
    """Declare shared indicators.

    Called once while the app is built. Returns a list of
    ``coopserv.plugin_api.Indicator``; each is computed per module over a period.
    """


@hookspec
def register_personal_data():
    """Declare where the plugin keeps personal data, for export and erasure.

    Called when a person's data is exported or erased, and when a territory's
    personal-data policy page is drawn. Returns a list of
    ``coopserv.plugin_api.PersonalData`` naming each table, its user column,
    the fields to export, how to erase, the retention period and, for the
    policy, what is kept (``title``) and why (``purpose``).
    """


@hookspec
def register_commands():
    """Add ``coopserv`` CLI commands.

    Called once while the CLI is built. Returns a list of ``click.Command``;
    they run inside an application context.
    """


# ---------------------------------------------------------------------------
# Tenant lifecycle: a territory's modules change.
# ---------------------------------------------------------------------------

@hookspec
def module_stage_changed(module, old_stage, new_stage):
    """Called after a module moved from ``old_stage`` to ``new_stage`` (committed).

    Called only for the plugin owning ``module.service_key``, with the territory
    in scope; the stages are ``"prototype"``, ``"pilot"``, ``"perennial"`` or
    ``"stopped"``. Returns nothing; a failure is logged.
    """


@hookspec
def module_stopped(module, requests, reason):
    """Release what a stopping service held: places, seats, reservations, crews.

    Called only for the plugin owning ``module.service_key``, inside the
    transaction that stops the module (a committee's stop decision, an admin
    setting the stage to stopped or disabling it), once per stop. The core has
    already moved every open request to the ``service_stopped`` state and
    notified its requester: ``requests`` is the list of those
    ``ServiceRequest`` (each one's previous status is
    ``request.history[-1].from_status``; the list may be empty). ``reason`` is
    the message shown to requesters (marked with _l). Write in ``db.session``;
    the core commits. The call runs in a savepoint: if it raises, its writes are
    undone and logged, and the stop goes on. Returns nothing.
    """


# ---------------------------------------------------------------------------
# Requests: the generic life of a service request.
# ---------------------------------------------------------------------------

@hookspec
def request_submitted(request, payload):
    """Called inside the transaction that creates a ``ServiceRequest`` of the plugin's service.

    Called only for the plugin owning the request's service. ``request`` is
    flushed (it has an id); ``payload`` is the validated payload. The plugin
    stores its own rows for it here (in ``db.session``; the core commits).
    Raising aborts the whole submission: nothing is stored. Returns nothing.
    """


@hookspec
def request_status_changed(request, change):
    """Called inside the transaction that applies a transition to a request of the plugin's service.

    Called only for the plugin owning the request's service. ``request`` is
    the ``ServiceRequest``, already at its new status; ``change`` is the new
    ``StatusChange`` (from_status, to_status, actor, comment). Raising aborts
    the transition. Returns nothing.
    """


@hookspec
def any_request_changed(request, change):
    """Watch every request of every service: called after each submission and each transition.

    Called for every plugin, after the owner's ``request_submitted`` or
    ``request_status_changed``, inside the same transaction and in a savepoint
    of its own. ``request`` is the ``ServiceRequest``; ``change`` is the new
    ``StatusChange`` (``from_status`` is None for a submission). Raising is
    logged and rolls back only what this plugin wrote: the request goes on.
    Returns nothing.
    """


# ---------------------------------------------------------------------------
# Time: work that falls due without anyone clicking.
# ---------------------------------------------------------------------------

@hookspec
def tick(territory, now):
    """Do time-based work for one territory: expire offers, release no-shows, close deadlines.

    Called by ``coopserv tick`` (meant for cron, every few minutes) once per
    territory, with that territory in scope; ``now`` is a naive UTC datetime.
    Must be idempotent: running it twice in a row changes nothing more. The
    implementation commits its own changes. Returns nothing.
    """


# ---------------------------------------------------------------------------
# Calendars: entries of the iCalendar feeds.
# ---------------------------------------------------------------------------

@hookspec
def calendar_events(territory, user, since):
    """Add entries to calendar feeds (a person's private feed, a territory's public feed).

    Called each time a feed is built, once per territory, with ``territory``
    in scope. ``user`` is the ``User`` whose private feed is built: return what
    concerns them (their bookings, sessions, places). ``user`` is None for the
    territory's public feed: return only what anyone may see, or nothing.
    ``since`` is a naive UTC ``datetime``: leave out what ended before it, so
    the query stays bounded. Returns a list of
    ``coopserv.plugin_api.CalendarEvent`` (an empty list when nothing).
    """


# ---------------------------------------------------------------------------
# Plugins serving each other: asked by one plugin, answered by another,
# with no import between them. Each works alone when nobody answers.
# ---------------------------------------------------------------------------

@hookspec(firstresult=True)
def carpool_crew_for(user, day):
    """Tell whether ``user`` rides in an active carpool crew on ``day`` (a ``date``).

    Asked with the territory in scope, e.g. by smart parking to grant crews
    priority reservations. Returns a dict ``{"crew_id": int, "label": str,
    "size": int}`` or None. Stops at first non-None result.
    """


@hookspec
def mobility_alternatives(business_park):
    """Suggest other ways to reach ``business_park`` (its name, a str) when parking is short.

    Asked with the territory in scope, e.g. by a nearly full parking lot's
    availability page. Returns a list of dicts ``{"label": str, "url": str}``.
    """


@hookspec
def territory_indicators(territory):
    """Give the indicators one territory defined for itself, beside those declared at start-up.

    Called at most once per request, with ``territory`` (a ``Territory``, never
    None) in scope, the first time the indicator registry
    (``plugin_host().indicators``) is read; the dashboard, exports, comparison,
    open data and project targets then see these indicators like any other.
    The core answers with the indicators the territory's steering committee
    defined. Returns a list of ``coopserv.plugin_api.Indicator`` (results are
    merged; a key already declared with ``register_indicators`` is ignored).
    Their ``compute`` must measure in whichever territory is in scope, since a
    comparison visits several.
    """


@hookspec
def indicator_targets(territory):
    """Give the targets set for indicators in ``territory`` (e.g. by service projects).

    Called when a dashboard or report is drawn, with the territory in scope.
    Returns a dict ``{indicator_key: target_value}`` (results are merged).
    """


# ---------------------------------------------------------------------------
# Demo data.
# ---------------------------------------------------------------------------

@hookspec
def seed_demo_module(module, organizations, users):
    """Fill a demo territory's module of this plugin's type with realistic data.

    Called by ``coopserv demo`` for every module whose ``service_key`` belongs
    to the plugin, with the territory in scope. ``organizations`` maps names to
    ``Organization``; ``users`` maps short handles (``"employee"``,
    ``"operator"``…) to ``User``. Returns nothing; the caller commits.
    """


# ---------------------------------------------------------------------------
# Page slots: small pieces of HTML the core places in its pages.
# ---------------------------------------------------------------------------

@hookspec
def portal_home_panels(territory, user):
    """Add panels to a territory's portal home page.

    Called on each visit of the home page; ``user`` is the signed-in ``User``
    or None. Returns a list of ``markupsafe.Markup`` (or an empty list).
    """


@hookspec
def open_data_links(territory):
    """Add links to the territory's public open-data page: feeds and downloads a plugin publishes.

    Called on each visit of ``/t/<slug>/open-data/``, with ``territory`` (a
    ``Territory``) in scope and nobody necessarily signed in, so list only what
    the territory chose to publish. Returns a list of dicts ``{"label": str,
    "url": str, "format": str}`` (``format`` names the standard or file type,
    e.g. "CSV", "GBFS", "NGSI-LD"); the lists of all plugins are concatenated.
    """
