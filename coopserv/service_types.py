"""What a plugin declares: service types with their workflow, indicators, personal data."""
from dataclasses import dataclass, field
from typing import Any, Callable

from coopserv.i18n import _l

#: The core's own final state of every service type: a request still open when its service stopped.
SERVICE_STOPPED = "service_stopped"
SERVICE_STOPPED_LABEL = _l("Closed: the service stopped")


@dataclass(frozen=True)
class Transition:
    """A move a request may make; ``by`` says who may make it."""

    #: Identifier sent by the action's form (``transition=<name>``).
    name: str
    #: Text of the action's button (mark it with _l).
    label: str
    #: States the request may be in for this move.
    sources: tuple[str, ...]
    #: State the request is in after the move.
    target: str
    #: "operator" (the module's operators and territory admins) and/or "requester".
    by: tuple[str, ...] = ("operator",)
    #: True when the requester should also get an e-mail for this move (category "My services",
    #: subject to their preferences); the in-app notification is sent either way.
    email: bool = False
    #: The message template for that e-mail (blocks subject/text/html, see docs/plugin-guide.md);
    #: None uses the core's "emails/request_status.html" (reference, service, new status, comment).
    email_template: str | None = None


@dataclass(frozen=True)
class Prerequisite:
    """Something that must exist before employees can use a service (a business park, a provider...).

    ``met`` is computed from the data: a boolean, or better a SQL boolean expression
    (``exists().where(...)``) that the core evaluates with every other service's in one
    statement. ``endpoint`` (with ``url_values``) names the page where the admin creates it.
    An endpoint rather than a URL, so prerequisites can be checked outside a web request (CLI,
    demo data, tests). The core always hands out prerequisites with ``met`` a boolean.
    """

    label: str
    met: Any
    endpoint: str | None = None
    url_values: dict = field(default_factory=dict)
    #: True when the endpoint's form goes back to the ``next`` page it is given once saved: the
    #: checklists (service page, project page) then link with ``next`` set to themselves.
    comes_back: bool = False


@dataclass(frozen=True)
class ServiceType:
    """A kind of service a territory can enable as a module.

    ``request_schema`` and ``config_schema`` are marshmallow schema classes; the
    core validates every request payload and module configuration through them.
    Before loading a request, the core sets ``schema.module`` so validators can
    read the module's configuration and territory.
    """

    #: Unique identifier, in URLs and the database (lower case, e.g. ``"concierge"``).
    key: str
    #: Name shown to people (mark it with _l).
    label: str
    #: One or two sentences on the service's card (mark it with _l).
    description: str
    #: Family of services, used to group cards (``"mobility"``, ``"family"``, ``"other"``…).
    category: str
    #: marshmallow schema class validating a request's payload (form and JSON alike).
    request_schema: type
    #: marshmallow schema class validating a module's configuration.
    config_schema: type
    #: status -> human label (both marked with _l for translation).
    states: dict[str, str]
    #: State of a new request.
    initial_state: str
    #: Every move the workflow allows; the core refuses any other.
    transitions: tuple[Transition, ...]
    #: Path of an SVG file (24×24 view box, drawn with ``currentColor``), shown on service cards and
    #: in navigation: ``os.path.join(os.path.dirname(__file__), "static", "icon.svg")``. A short text
    #: (an emoji) still works and is shown in a badge.
    icon: str = ""
    #: Template of the fields of the request form, included in the core's service page.
    #: It receives ``module``, ``values`` and ``errors`` plus ``request_form_context(module)``.
    request_form_template: str | None = None
    #: ``(module) -> dict`` added to the form template's context; guarded: if it raises, the form is left out.
    request_form_context: Callable[[Any], dict] = field(default=lambda module: {})
    #: Template rendering a request's payload on its detail page (``request_``, ``payload``
    #: plus ``request_detail_context(request)``).
    request_detail_template: str | None = None
    #: ``(request) -> dict`` given to the detail template as ``detail``; guarded: if it raises, the part is left out.
    request_detail_context: Callable[[Any], dict] = field(default=lambda request: {})
    #: Endpoint of extra operator pages (e.g. a provider's round), linked from the queue.
    operator_endpoint: str | None = None
    #: Turns a validated payload into a short summary line for lists.
    summarize: Callable[[dict], str] = field(default=lambda payload: "")
    # What the plugin brings with the service, declared once here instead of one register_* hook
    # each (the hooks still work, and add to these).
    #: Flask blueprints (pages), e.g. ``(views.bp,)``.
    blueprints: tuple = ()
    #: flask-smorest blueprints made with ``territory_api_blueprint`` (REST endpoints).
    api_blueprints: tuple = ()
    #: ``Indicator`` declarations.
    indicators: tuple = ()
    #: ``PersonalData`` declarations (export and erasure).
    personal_data: tuple = ()
    #: ``Rollup`` declarations: aggregates the plugin keeps of its own rows (rebuilt with the core's rollups).
    rollups: tuple = ()
    #: click commands added to ``coopserv``.
    commands: tuple = ()
    #: Absolute path of the plugin's Alembic versions folder (its own branch).
    migrations: str | None = None
    #: Absolute path of the plugin's gettext catalogs (``<lang>/LC_MESSAGES/messages.mo``).
    translations: str | None = None
    #: True when requests hold confidences (a family's situation): only the requester and the
    #: module's own operators read them; territory admins see counts per status, not contents.
    confidential: bool = False
    #: ``prerequisites(module)`` -> list of ``Prerequisite``: what must exist in the module's territory
    #: (``module.territory``) before employees may use the service. Until every one is met the
    #: service is not offered, and the admin's service page lists them with links. Called inside a
    #: request or ``territory_scope``, so the plugin's queries are already scoped to the territory.
    prerequisites: Callable[[Any], list] = field(default=lambda module: [])

    def __post_init__(self):
        # Every workflow ends in the core's "service stopped" state too, so lists, labels and
        # final_states know it without each plugin declaring it.
        if SERVICE_STOPPED not in self.states:
            object.__setattr__(self, "states", {**self.states, SERVICE_STOPPED: SERVICE_STOPPED_LABEL})

    @property
    def final_states(self):
        """States no transition leaves."""
        leaving = {source for t in self.transitions for source in t.sources}
        return tuple(state for state in self.states if state not in leaving)

    def transition(self, name):
        for transition in self.transitions:
            if transition.name == name:
                return transition
        return None

    def transitions_from(self, status):
        return [t for t in self.transitions if status in t.sources]


#: Aggregates a ``RequestMeasure`` may declare.
COUNT = "count"
DISTINCT_REQUESTERS = "distinct_requesters"
SUM = "sum"
AVERAGE = "average"
PERCENTILE = "percentile"
AGGREGATES = (COUNT, DISTINCT_REQUESTERS, SUM, AVERAGE, PERCENTILE)


@dataclass(frozen=True)
class RequestMeasure:
    """Declares an indicator as a monthly aggregate of a module's requests; the core keeps it as a rollup.

    Each request counts in the month (UTC) it was created. The core stores one
    fact per request and indicator and per-month totals, updates them in the
    transaction that submits, moves, anonymises or deletes the request, and
    rebuilds them with ``coopserv indicators rebuild``: the dashboard reads a
    few stored rows whatever the volume. No SQL to write for the rollup itself.

    ``aggregate``: ``count`` (requests), ``distinct_requesters`` (people),
    ``sum``, ``average`` or ``percentile`` (of ``value``; ``percentile=0.5`` is
    the median, computed by the database). ``value`` is a callable returning
    an SQL expression evaluated per request, correlated to ``ServiceRequest``
    (a column, or a scalar subquery over the plugin's tables or the history);
    requests where it is NULL are left out. ``statuses`` keeps only requests
    now in one of these statuses. The stored figure is multiplied by
    ``scale`` (e.g. 0.01 for cents to euros) and rounded to ``digits``.
    ``by_organization`` also keeps per-organization totals.
    """

    aggregate: str = COUNT
    value: Callable[[], Any] | None = None
    statuses: tuple[str, ...] | None = None
    percentile: float = 0.5
    scale: float = 1.0
    digits: int | None = None
    by_organization: bool = False

    def __post_init__(self):
        if self.aggregate not in AGGREGATES:
            raise ValueError(f"aggregate must be one of {AGGREGATES}, not {self.aggregate!r}")
        if self.aggregate in (SUM, AVERAGE, PERCENTILE) and self.value is None:
            raise ValueError(f"a {self.aggregate} needs a value")
        if not 0 <= self.percentile <= 1:
            raise ValueError("percentile must be between 0 and 1")


@dataclass(frozen=True)
class Rollup:
    """An aggregate a plugin keeps of its own rows (not of requests), rebuilt alongside the core's rollups.

    The plugin keeps it up to date itself, in the transaction that writes its
    rows (or through ``refresh`` when it follows requests); the core calls ``rebuild(territory_id)`` (None: every territory) from
    ``coopserv indicators rebuild`` (``--key`` names it), and from ``coopserv
    upgrade`` when it was never built or its ``version`` changed (bump the
    version when what the aggregate stores changes). ``rebuild`` writes in the
    caller's transaction; the caller commits.
    """

    #: Unique identifier, ``<service>.<name>`` (``"smart_parking.occupancy"``).
    key: str
    #: ``(territory_id or None) -> None``: recompute the aggregate from the plugin's rows.
    rebuild: Callable[[int | None], None]
    #: What the stored aggregate means; a new value asks ``coopserv upgrade`` for a rebuild.
    version: str = "1"
    #: Whether the cells are cut in the territory's local time (hours, days): a change of time zone
    #: then rebuilds them for that territory, in a job sent when the change is committed.
    local_time: bool = False
    #: ``(request ids) -> None``, optional: called in the transaction that changed those requests (any
    #: service; created, moved, anonymised or deleted), just before it commits, with the core's own
    #: rollups: the plugin brings its aggregate in line with what those requests contribute now.
    refresh: Callable[[list[int]], None] | None = None


@dataclass(frozen=True)
class IndicatorQuery:
    """An indicator's figure as one SELECT that returns exactly one row (aggregates, no GROUP BY), not yet run.

    The core reads the queries of several figures (a project's targets, a
    network's territories) as subqueries of one statement, rather than one
    statement per figure. ``finish(row)`` turns the row into the figure (None:
    the row's first column). The SELECT is scoped like any other query, to the
    territory in scope when it runs; ``names_territory=True`` says it filters
    every tenant table on the territory itself (``module.territory_id``), so
    that it may share a statement with other territories' figures.
    """

    #: The SELECT, of one row (aggregates without GROUP BY); the core runs it as a subquery beside others.
    select: Any
    #: ``(row) -> number or None``: the figure from the row's columns (None: the first column as it is).
    finish: Callable[[Any], float | int | None] | None = None
    #: True when the SELECT filters every tenant table on its territory itself (the core's own queries).
    names_territory: bool = False

    def value(self):
        """Run the SELECT on its own: the figure, as ``compute`` gives it."""
        from coopserv.extensions import db

        row = tuple(db.session.execute(self.select).one())
        return self.finish(row) if self.finish is not None else row[0]


@dataclass(frozen=True)
class Indicator:
    """A shared indicator; ``compute(module, start, end)`` returns a number or None.

    ``compute`` must aggregate in the database (one query or a few), never by
    loading rows into Python. An indicator that is an aggregate of requests
    declares ``rollup=RequestMeasure(...)`` instead (or as well): it is then read
    from stored monthly totals, and ``compute`` may be None. Other indicators
    are computed by ``compute`` and their monthly values cached for a minute
    (``INDICATOR_CACHE_SECONDS``).
    """

    #: Unique identifier, ``<service>.<name>`` (``"concierge.orders"``).
    key: str
    #: Name shown on the dashboard (mark it with _l).
    label: str
    #: Unit shown after values (``_l("orders")``, ``"%"``, ``"h"``).
    unit: str
    #: Service whose modules it measures (None: the core's, for the whole territory).
    service_key: str | None
    #: ``(module, start, end) -> number or None`` over ``[start, end)``, aggregated in SQL; None when
    #: ``rollup`` declares the indicator instead.
    compute: Callable[[Any, Any, Any], float | int | None] | None = None
    #: What it counts and why, shown beside the chart.
    description: str = ""
    #: True when comparing territories per 1,000 employees makes sense (counts, not rates).
    per_employees: bool = False
    #: Whether more is better (a count, a rate) or less (a waiting time); None guesses from the key
    #: ("median…", "…wait…" are times, better low). The dashboard uses it to read targets and trends.
    higher_is_better: bool | None = None

    #: Keep this indicator as a rollup of the module's requests (service indicators only).
    rollup: RequestMeasure | None = None
    #: Optional ``(module, start, end) -> IndicatorQuery``: the same figure as ``compute``, as a SELECT the core
    #: runs together with other figures (bounded statements whatever the number of targets or territories).
    #: Without it, and without ``rollup``, each figure is one ``compute`` call.
    query: Callable[[Any, Any, Any], IndicatorQuery] | None = None

    def __post_init__(self):
        if self.compute is None and self.rollup is None:
            raise ValueError(f"indicator {self.key!r} needs compute or rollup")
        if self.rollup is not None and self.service_key is None:
            raise ValueError(f"indicator {self.key!r}: a rollup of requests belongs to a service")


@dataclass(frozen=True)
class PersonalData:
    """Where a plugin (or the core) keeps data about one person.

    ``model`` is a model class, ``user_column`` the column holding the user id,
    ``fields`` the columns exported. On erasure, rows are deleted
    (``erase="delete"``) or anonymised (``erase="anonymise"``, keeping
    statistics): the user column becomes NULL and each column named in
    ``anonymised_values`` takes its value. ``retention_days`` says how long
    rows are kept (None: as long as the person's account).

    ``title`` (what is kept, for people) and ``purpose`` (why) are shown on each
    territory's personal-data policy; mark them with ``_l``. Without them the policy
    names the plugin's service and says the data serves to provide it.

    ``scrub`` names the columns holding text the person wrote (a need's title,
    an idea's pitch, a text or JSON column): on anonymisation each becomes the
    neutral "contribution removed" text (every string inside a JSON value), so
    what others supported or voted for keeps its place without the words; and
    wherever the core copied those texts (audit log, other people's
    notifications) they are removed too. ``related`` finds rows *about* the
    person that another column links to them (a case's notes): a function of
    the user id returning a SQL condition, used instead of ``user_column``,
    whose own value is then left alone.
    """

    #: The model class holding the rows.
    model: Any
    #: Column holding the person's user id.
    user_column: str
    #: Columns written in the person's export.
    fields: tuple[str, ...]
    #: ``"delete"`` the rows, or ``"anonymise"`` them (user column set to NULL, statistics kept).
    erase: str = "delete"
    #: How long rows are kept (None: as long as the account).
    retention_days: int | None = None
    #: Name of the rows in the export (default: the table's name).
    label: str = ""
    #: Column -> value written on anonymisation.
    anonymised_values: dict = field(default_factory=dict)
    #: What is kept, in words (lazy-translated), for the personal-data policy.
    title: Any = ""
    #: Why it is kept, in words (lazy-translated), for the personal-data policy.
    purpose: Any = ""
    #: Columns of text the person wrote, replaced by the neutral text (and hunted in copies).
    scrub: tuple[str, ...] = ()
    #: user id -> SQL condition selecting rows about the person through another table (optional).
    related: Callable[[int], Any] | None = None
    #: Rows only the person and the service's own team may read (a spouse-welcome case): the
    #: territory admin's export counts them and leaves their contents out.
    confidential: bool = False
    #: Exported rows -> those holding confidences (some rows of a shared table, e.g. requests of a
    #: confidential service): the territory admin's export shows their ``scrub`` columns as withheld.
    confidential_rows: Callable[[list], list] | None = None
