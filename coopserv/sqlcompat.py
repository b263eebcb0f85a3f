"""SQL that SQLite and PostgreSQL write differently, written once: months, percentiles, upserts."""
from sqlalchemy import Date, Float, Integer, case, cast, func, literal, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite

from coopserv.extensions import db


def dialect_name():
    return db.session.get_bind().dialect.name


def month_of(column):
    """The first day of the (UTC) month of a timestamp column, as a date."""
    if dialect_name() == "sqlite":
        return type_coerce(func.date(column, "start of month"), Date)
    return cast(func.date_trunc("month", column), Date)


def hours_between(later, earlier):
    """An SQL expression for the hours between two timestamp columns, on either backend."""
    if dialect_name() == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def grouped_percentile(source, value, groups=(), fraction=0.5):
    """A select of ``groups`` and the ``fraction`` percentile of ``value`` per group, over ``source`` (a subquery).

    PostgreSQL uses ``percentile_cont``. SQLite has no such aggregate: ranks
    the values with window functions and interpolates between the two rows
    around the position, as ``percentile_cont`` does (position
    ``1 + fraction * (n - 1)``). Either way the database does the work.
    """
    groups = list(groups)
    if dialect_name() != "sqlite":
        query = select(*groups, func.percentile_cont(fraction).within_group(value.asc()).label("percentile"))
        return query.select_from(source).group_by(*groups) if groups else query.select_from(source)
    ranked = select(*groups, cast(value, Float).label("v"),
                    func.row_number().over(partition_by=groups or None, order_by=value).label("rn"),
                    func.count().over(partition_by=groups or None).label("n")).select_from(source).subquery()
    position = 1 + literal(fraction, Float) * (ranked.c.n - 1)
    low = cast(position, Integer)  # truncation is floor here: the position is at least 1
    weight = position - low
    outer_groups = [ranked.c[group.key] for group in groups]
    value_at = func.sum(case((ranked.c.rn == low, ranked.c.v * (1 - weight)),
                             (ranked.c.rn == low + 1, ranked.c.v * weight), else_=0.0))
    query = select(*outer_groups, value_at.label("percentile")).where(ranked.c.rn >= low, ranked.c.rn <= low + 1)
    return query.group_by(*outer_groups) if outer_groups else query


def percentile_select(value, from_query, fraction=0.5):
    """A SELECT of one row and one column: the ``fraction`` percentile of ``value`` over ``from_query``, not yet run.

    An aggregate without GROUP BY, so it returns its row (NULL for no values)
    and can be read as a subquery beside other figures (an ``IndicatorQuery``).
    """
    source = from_query.add_columns(value.label("value")).subquery()
    return grouped_percentile(source, source.c.value, (), fraction)


def percentile(value, from_query, fraction=0.5):
    """The ``fraction`` percentile of ``value`` over ``from_query`` (a select's FROM and WHERE), in one statement."""
    result = db.session.scalar(percentile_select(value, from_query, fraction))
    return None if result is None else float(result)


def upsert(table, rows, keys, increments=(), replace=()):
    """Insert ``rows`` (dicts); on a clash of ``keys``, add the ``increments`` columns and overwrite ``replace`` ones.

    One statement (executemany) on either backend: ``INSERT … ON CONFLICT DO UPDATE``.
    """
    if not rows:
        return
    insert = (sqlite.insert if dialect_name() == "sqlite" else postgresql.insert)(table)
    changes = {name: table.c[name] + insert.excluded[name] for name in increments}
    changes.update({name: insert.excluded[name] for name in replace})
    statement = insert.on_conflict_do_update(index_elements=list(keys), set_=changes) if changes \
        else insert.on_conflict_do_nothing(index_elements=list(keys))
    db.session.execute(statement, rows)
