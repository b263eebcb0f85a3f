"""SQL helpers indicators share, written once for SQLite and PostgreSQL."""
from coopserv.sqlcompat import hours_between, percentile

__all__ = ["hours_between", "median", "percentile"]


def median(expression, from_query):
    """The median of ``expression`` over ``from_query`` (a select's where/joins), computed by the database.

    ``percentile_cont`` on PostgreSQL, ranked rows on SQLite: one statement,
    no value loaded into Python. Rounded to 2 decimals.
    """
    value = percentile(expression, from_query, 0.5)
    return None if value is None else round(value, 2)
