"""SQL helpers indicators share, written once for SQLite and PostgreSQL."""
from coopserv.sqlcompat import hours_between, percentile, percentile_select

__all__ = ["hours_between", "median", "median_select", "percentile", "percentile_select", "rounded_median"]


def median(expression, from_query):
    """The median of ``expression`` over ``from_query`` (a select's where/joins), computed by the database.

    ``percentile_cont`` on PostgreSQL, ranked rows on SQLite: one statement,
    no value loaded into Python. Rounded to 2 decimals.
    """
    value = percentile(expression, from_query, 0.5)
    return None if value is None else round(value, 2)


def median_select(expression, from_query):
    """The median of ``expression`` over ``from_query`` as a one-row SELECT, for an ``IndicatorQuery``.

    The same figure as ``median`` once read through ``rounded_median``, but
    not yet run: the core reads it as a subquery beside other figures.
    """
    return percentile_select(expression, from_query, 0.5)


def rounded_median(value):
    """A median read from ``median_select`` rounded as ``median`` rounds it (None stays None)."""
    return None if value is None else round(float(value), 2)
