"""Many indicator figures read in one statement: a project's targets, a network's member territories.

A figure that can be written as one SELECT of one row -- an indicator's
``rollup`` (the core writes that SELECT) or its ``query`` -- becomes a
subquery of one statement shared with the other figures and with the one-row
reads the page adds (``also``); the others are one ``compute`` call each. A
plugin's SELECT relies on the tenant scoping of the territory it runs in, so
figures of several territories share a statement only when their SELECTs name
their territory themselves (the core's do); the others are read one statement
per territory.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, true

from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, current_territory, territory_scope


@dataclass(frozen=True)
class Asked:
    """One figure wanted: ``indicator`` over [start, end) (datetimes) for ``module`` (None: the territory's own).

    ``territory`` is the territory measured (None: the one in scope).
    """

    indicator: object
    module: object
    start: datetime
    end: datetime
    territory: object = None


def query_of(indicator, module, start, end):
    """The figure as an ``IndicatorQuery``, or None when only the indicator's ``compute`` can say it."""
    if indicator.rollup is not None and module is not None:
        from coopserv.rollups.measures import measure_for
        from coopserv.rollups.services import rollup_query

        return rollup_query(measure_for(indicator.key), module, start, end)
    if indicator.query is not None:
        return indicator.query(module, start, end)
    return None


def measure_many(asked, also=None):
    """The figures of ``asked``, in order, and the values of ``also`` ({name: SQL expression of the territory in scope}).

    One statement for every figure written as a SELECT and every ``also``
    expression when all figures are of one territory (a project's page);
    across territories, one for the SELECTs naming their territory plus one
    per territory for the others. Each remaining figure is one ``compute``.
    Raises what a plugin's indicator raises: callers decide how to degrade.
    """
    from coopserv.indicators.services import measure

    values = [None] * len(asked)
    here = current_territory()
    queries = []  # (position, territory, IndicatorQuery)
    for position, item in enumerate(asked):
        territory = item.territory or here
        with _scope(territory, here):
            query = query_of(item.indicator, item.module, item.start, item.end)
            if query is None:
                values[position] = measure(item.indicator, item.module, item.start, item.end)
            else:
                queries.append((position, territory, query))
    one_territory = all(_same(territory, here) for _position, territory, _query in queries)
    groups = {}
    for position, territory, query in queries:
        key = None if one_territory else ("named" if query.names_territory else territory.id)
        groups.setdefault(key, (territory, []))[1].append((position, query))
    also = dict(also or {})
    if also and None not in groups:
        groups[None] = (here, [])
    results = {}
    for key, (territory, members) in groups.items():
        extra = also if key is None else {}
        with _scope(None if key == "named" else territory, here):
            figures, read = read_together([query for _position, query in members], extra,
                                          every_territory=key == "named")
        values_of = dict(zip((position for position, _query in members), figures))
        for position, value in values_of.items():
            values[position] = value
        results.update(read)
    return values, results


def read_together(queries, also=None, every_territory=False):
    """Run ``IndicatorQuery`` SELECTs and ``also`` expressions as one statement: (figures, {name: value}).

    ``every_territory`` runs it unscoped: only for SELECTs that name their territory.
    A SELECT of one column is a scalar subquery of the statement's column list;
    the others are subqueries joined in its FROM (one row each, so the join is one row).
    """
    also = dict(also or {})
    if not queries and not also:
        return [], {}
    multi = [query.select.subquery(f"figure_{number}") for number, query in enumerate(queries)
             if len(query.select.selected_columns) > 1]
    sources, multi_columns = _joined(multi)
    multi_columns = iter(multi_columns)
    columns, widths = [], []
    for number, query in enumerate(queries):
        width = len(query.select.selected_columns)
        if width == 1:
            columns.append(query.select.scalar_subquery().label(f"figure_{number}"))
        else:
            columns.extend(next(multi_columns) for _column in range(width))
        widths.append(width)
    names = list(also)
    statement = select(*columns, *(also[name].label(f"also_{number}") for number, name in enumerate(names)))
    if sources is not None:
        statement = statement.select_from(sources)
    if every_territory:
        statement = statement.execution_options(**{ALL_TERRITORIES: True})
    row = tuple(db.session.execute(statement).one())
    figures, offset = [], 0
    for query, width in zip(queries, widths):
        part = row[offset:offset + width]
        offset += width
        figures.append(query.finish(part) if query.finish is not None else part[0])
    return figures, dict(zip(names, row[offset:]))


#: Subqueries joined at one level of FROM (SQLite refuses more than 64 tables in a join).
_JOIN_WIDTH = 50


def _joined(subqueries):
    """The one-row subqueries joined (None without any), and their columns in order as the join exposes them.

    Past ``_JOIN_WIDTH`` they are joined by chunks, each chunk a subquery of its
    own (OFFSET 0 keeps SQLite from flattening it back into one wide join).
    """
    if not subqueries:
        return None, []
    if len(subqueries) <= _JOIN_WIDTH:
        return _join(subqueries), [column for subquery in subqueries for column in subquery.c]
    chunks, columns = [], []
    for first in range(0, len(subqueries), _JOIN_WIDTH):
        part = subqueries[first:first + _JOIN_WIDTH]
        inner = [column.label(f"c{number}") for number, column in
                 enumerate(column for subquery in part for column in subquery.c)]
        chunk = select(*inner).select_from(_join(part)).offset(0).subquery(f"figures_{first}")
        chunks.append(chunk)
        columns.extend(chunk.c)
    return _join(chunks), columns


def _join(subqueries):
    joined = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, true())  # each returns one row: the join is that one row
    return joined


def _same(territory, here):
    return territory is None or (here is not None and territory.id == here.id)


class _scope:
    """Enter ``territory``'s scope unless it is already the one in scope (None: leave the scope alone)."""

    def __init__(self, territory, here):
        self._context = None if territory is None or _same(territory, here) else territory_scope(territory)

    def __enter__(self):
        if self._context is not None:
            self._context.__enter__()

    def __exit__(self, *exc):
        if self._context is not None:
            return self._context.__exit__(*exc)
        return False
