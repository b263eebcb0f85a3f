"""Tenant scoping: the one place that knows which territory a query belongs to.

Every tenant-owned model inherits ``TenantMixin``. A single ``do_orm_execute``
listener adds ``territory_id = <current territory>`` to every ORM SELECT, bulk
UPDATE and bulk DELETE (``db.session.execute(update(Model)...)``) that touches
such a model, and refuses to run one when no territory is current, unless the
statement explicitly asks for all territories with
``.execution_options(all_territories=True)``. The names of the tenant tables
are gathered once, as each model class is mapped.

What the listener does not cover, and why tests still check isolation per
route: objects already in the session identity map (``db.session.get`` can
return them), ``text()`` SQL, statements run on a connection rather than the
ORM session, and raw connections.
"""
from contextlib import contextmanager

from flask import abort, g, has_app_context, has_request_context, request
from sqlalchemy import ForeignKey, event, inspect, select
from sqlalchemy.orm import (
    Mapped,
    Session,
    declared_attr,
    foreign,
    mapped_column,
    relationship,
    with_loader_criteria,
)
from sqlalchemy.sql.util import find_tables

ALL_TERRITORIES = "all_territories"


class UnscopedQueryError(RuntimeError):
    """Raised when a tenant-owned table is queried with no territory in scope."""


class TenantMixin:
    """Marks a model as owned by one territory; the listener scopes its queries."""

    @declared_attr
    def territory_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), index=True, nullable=False)

    @declared_attr
    def territory(cls):
        def join():
            from coopserv.territories.models import Territory

            # foreign() lets a table keep territory_id without a database foreign key (bulk tables).
            return foreign(cls.territory_id) == Territory.id

        return relationship("Territory", primaryjoin=join, viewonly=True)


def request_cache():
    """A dict living as long as the current request (``g`` may outlive it in tests), or None."""
    if not has_request_context():
        return None
    cache = getattr(request, "_coopserv_cache", None)
    if cache is None:
        cache = request._coopserv_cache = {}
    return cache


def request_cached(name, loader):
    """Return ``loader()``, computed once per request and territory (every time outside a request).

    Pages and the plugins' panels they call share what is loaded here (the
    territory's modules, the person's memberships): one query each per request.
    """
    cache = request_cache()
    if cache is None:
        return loader()
    key = (name, current_territory_id())
    if key not in cache:
        cache[key] = loader()
    return cache[key]


def prime_cached(name, value):
    """Store a value another query already brought, so ``request_cached(name, …)`` needs no query."""
    cache = request_cache()
    if cache is not None:
        cache[(name, current_territory_id())] = value


def forget_cached(name):
    """Drop a cached value of this request (after a write that changes it)."""
    cache = request_cache()
    if cache is not None:
        cache.pop((name, current_territory_id()), None)


def current_territory():
    """Return the territory set by an enclosing territory_scope, else the one of the request's URL.

    An explicit scope wins so that code serving one territory's page can look
    at another territory on purpose (comparisons), one scope at a time.
    """
    scoped = g.get("territory_scope") if has_app_context() else None
    if scoped is not None:
        return scoped
    cache = request_cache()
    return cache.get("territory") if cache is not None else None


def current_territory_id():
    """Return the id of the territory in scope, or None."""
    territory = current_territory()
    return territory.id if territory is not None else None


@contextmanager
def territory_scope(territory):
    """Run the enclosed block as if the request were for ``territory`` (CLI, seeding, tests)."""
    previous = g.get("territory_scope")
    g.territory_scope = territory
    try:
        yield territory
    finally:
        g.territory_scope = previous


def require_territory(slug):
    """Load the territory named in the URL into ``g`` or answer 404."""
    from coopserv.extensions import db
    from coopserv.territories.models import Territory

    territory = db.session.execute(select(Territory).filter_by(slug=slug)).scalar_one_or_none()
    if territory is None:
        abort(404)
    request_cache()["territory"] = territory
    return territory


#: Names of the tables of every TenantMixin model, filled as each model class is mapped.
TENANT_TABLES = set()


@event.listens_for(TenantMixin, "instrument_class", propagate=True)
def _remember_tenant_table(mapper, class_):
    """Gather the tenant tables once, as their models are mapped, rather than on every query."""
    TENANT_TABLES.add(mapper.local_table.name)


#: Whether a statement shape touches a tenant table, by SQLAlchemy cache key (bounded: shapes are few).
_TOUCHES_BY_SHAPE = {}
_SHAPES_REMEMBERED = 5000


def _touches_tenant_model(state):
    """Tell whether a tenant table is selected, changed, joined or used in a subquery of the statement.

    Walking a statement's tables costs more than running the statement on the large ones (a page's
    one batched indicator SELECT); its answer depends only on the statement's shape, which SQLAlchemy
    already keys its compiled-SQL cache by, so it is remembered per shape.
    """
    shape = getattr(state.statement, "_generate_cache_key", None)
    cache_key = shape() if shape is not None else None
    if cache_key is None:
        return _walk_for_tenant_tables(state)
    touches = _TOUCHES_BY_SHAPE.get(cache_key.key)
    if touches is None:
        touches = _walk_for_tenant_tables(state)
        if len(_TOUCHES_BY_SHAPE) < _SHAPES_REMEMBERED:
            _TOUCHES_BY_SHAPE[cache_key.key] = touches
    return touches


def _walk_for_tenant_tables(state):
    if any(issubclass(mapper.class_, TenantMixin) for mapper in state.all_mappers):
        return True
    # find_tables also yields the joins themselves (which have no name), not only their tables.
    return any(getattr(table, "name", None) in TENANT_TABLES
               for table in find_tables(state.statement, include_joins=True, include_aliases=True))


def _scope_select(state):
    """Add the current territory to ORM SELECT, bulk UPDATE and bulk DELETE statements on tenant tables."""
    if state.is_select:
        if state.is_column_load or state.is_relationship_load:
            return
    elif not (state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_TERRITORIES) or not _touches_tenant_model(state):
        return
    territory_id = current_territory_id()
    if territory_id is None:
        raise UnscopedQueryError(
            "Query on a tenant-owned table with no territory in scope; use territory_scope() "
            "or .execution_options(all_territories=True) when every territory is meant."
        )
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin,
            lambda cls: cls.territory_id == territory_id,
            include_aliases=True,
        )
    )


def install_scoping(session_class=Session):
    """Attach the scoping listeners to every ORM session (idempotent)."""
    if not event.contains(session_class, "do_orm_execute", _scope_select):
        event.listen(session_class, "do_orm_execute", _scope_select)
        event.listen(session_class, "before_flush", _check_written_rows)


def _check_written_rows(session, flush_context, instances):
    """Give new tenant rows the current territory and refuse rows moved to another one."""
    territory_id = current_territory_id()
    for obj in session.new:
        if isinstance(obj, TenantMixin) and obj.territory_id is None:
            obj.territory_id = territory_id
    if territory_id is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantMixin) or obj.territory_id == territory_id:
            continue
        if obj in session.new or inspect(obj).attrs.territory_id.history.has_changes():
            raise UnscopedQueryError(
                f"{type(obj).__name__} of territory {obj.territory_id} written while "
                f"territory {territory_id} is in scope."
            )
