"""SQL helpers indicators share, written once for SQLite and PostgreSQL."""
from sqlalchemy import func, select

from coopserv.extensions import db


def hours_between(later, earlier):
    """An SQL expression for the hours between two timestamp columns, on either backend."""
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def median(expression, from_query):
    """The median of ``expression`` over ``from_query`` (a select's where/joins), in the database.

    Counts the rows, then reads the one or two middle values with ORDER BY,
    LIMIT and OFFSET: two small queries whatever the volume.
    """
    subquery = from_query.add_columns(expression.label("value")).subquery()
    count = db.session.scalar(select(func.count()).select_from(subquery))
    if not count:
        return None
    middle = db.session.scalars(
        select(subquery.c.value).order_by(subquery.c.value).offset((count - 1) // 2).limit(2 - count % 2)
    ).all()
    return round(sum(middle) / len(middle), 2)
