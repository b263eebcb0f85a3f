"""What a plugin declares: service types with their workflow, indicators, personal data."""
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Transition:
    """A move a request may make; ``by`` says who may make it."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    #: "operator" (the module's operators and territory admins) and/or "requester".
    by: tuple[str, ...] = ("operator",)


@dataclass(frozen=True)
class ServiceType:
    """A kind of service a territory can enable as a module.

    ``request_schema`` and ``config_schema`` are marshmallow schema classes; the
    core validates every request payload and module configuration through them.
    Before loading a request, the core sets ``schema.module`` so validators can
    read the module's configuration and territory.
    """

    key: str
    label: str
    description: str
    category: str
    request_schema: type
    config_schema: type
    #: status -> human label (both marked with _l for translation).
    states: dict[str, str]
    initial_state: str
    transitions: tuple[Transition, ...]
    #: Path of an SVG file (24×24 view box, drawn with ``currentColor``), shown on service cards and
    #: in navigation: ``os.path.join(os.path.dirname(__file__), "static", "icon.svg")``. A short text
    #: (an emoji) still works and is shown in a badge.
    icon: str = ""
    #: Template of the fields of the request form, included in the core's service page.
    #: It receives ``module``, ``values`` and ``errors`` plus ``request_form_context(module)``.
    request_form_template: str | None = None
    request_form_context: Callable[[Any], dict] = field(default=lambda module: {})
    #: Template rendering a request's payload on its detail page (``request_``, ``payload``
    #: plus ``request_detail_context(request)``).
    request_detail_template: str | None = None
    request_detail_context: Callable[[Any], dict] = field(default=lambda request: {})
    #: Endpoint of extra operator pages (e.g. a provider's round), linked from the queue.
    operator_endpoint: str | None = None
    #: Turns a validated payload into a short summary line for lists.
    summarize: Callable[[dict], str] = field(default=lambda payload: "")

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


@dataclass(frozen=True)
class Indicator:
    """A shared indicator; ``compute(module, start, end)`` returns a number or None.

    ``compute`` must aggregate in the database (one query or a few), never by
    loading rows into Python.
    """

    key: str
    label: str
    unit: str
    service_key: str | None
    compute: Callable[[Any, Any, Any], float | int | None]
    description: str = ""
    #: True when comparing territories per 1,000 employees makes sense (counts, not rates).
    per_employees: bool = False
    #: Whether more is better (a count, a rate) or less (a waiting time); None guesses from the key
    #: ("median…", "…wait…" are times, better low). The dashboard uses it to read targets and trends.
    higher_is_better: bool | None = None


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
    """

    model: Any
    user_column: str
    fields: tuple[str, ...]
    erase: str = "delete"
    retention_days: int | None = None
    label: str = ""
    #: Column -> value written on anonymisation.
    anonymised_values: dict = field(default_factory=dict)
    #: What is kept, in words (lazy-translated), for the personal-data policy.
    title: Any = ""
    #: Why it is kept, in words (lazy-translated), for the personal-data policy.
    purpose: Any = ""
