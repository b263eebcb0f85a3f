"""Bring an aggregate in line with changed rows by increments: the core's rollups and plugins' aggregates share it.

An aggregate that follows rows keeps two tables: facts (what each source row
contributes now, one row per contribution) and cells (the sums). When rows
change, the facts read now are compared with the stored ones; the changed facts
are replaced, and their old contribution is subtracted from the cells and their
new one added, with one ``INSERT … ON CONFLICT DO UPDATE`` of increments: two
transactions adding to the same cell lose nothing, and a fact removed (its row
deleted) is subtracted exactly. Cells are written in a fixed order, so that
concurrent transactions lock the cells they share alike (no deadlock).
Plugins reach these through ``coopserv.plugin_api`` (``Rollup.refresh``).
"""
from sqlalchemy import delete, insert, tuple_

from coopserv.extensions import db
from coopserv.sqlcompat import upsert
from coopserv.tenancy import ALL_TERRITORIES

#: The statements name their rows (ids, cell keys): an erasure spans territories.
_ALL = {ALL_TERRITORIES: True}


def store_changed_facts(table, columns, new, old, fact_of):
    """Replace the stored facts that differ from the new ones; return the changes as (old row, new row) pairs.

    ``new`` and ``old`` map each fact's key to its row, read now and read from ``table`` (old rows
    carry their ``id``); ``fact_of(row)`` is the tuple of ``columns`` that is compared and stored
    (None for no row). A pair has None on the side where the fact did not exist.
    """
    changed = [key for key in new.keys() | old.keys() if fact_of(new.get(key)) != fact_of(old.get(key))]
    stale = [old[key].id for key in changed if key in old]
    if stale:
        db.session.execute(delete(table).where(table.c.id.in_(stale)).execution_options(**_ALL))
    fresh = [dict(zip(columns, fact_of(new[key]))) for key in changed if key in new]
    if fresh:
        db.session.execute(insert(table), fresh)
    return [(old.get(key), new.get(key)) for key in changed]


def add_to_cells(table, keys, changes, amounts, count, replace=()):
    """Add ``changes`` ({cell key: {column: value}}) to the cells of ``table``, then drop the cells left empty.

    ``keys`` name the cell key's columns (the table's unique key); ``amounts`` are the columns added
    to an existing cell and ``replace`` those overwritten; the other columns of a change are written
    only when the cell is new. A cell whose ``count`` column falls to zero is deleted.
    """
    rows = [dict(zip(keys, cell), **values)
            for cell, values in sorted(changes.items(), key=lambda item: lock_order(item[0]))
            if any(values[name] for name in amounts)]
    upsert(table, rows, keys, increments=amounts, replace=replace)
    lowered = [cell for cell, values in changes.items() if any(values[name] < 0 for name in amounts)]
    if lowered:
        db.session.execute(delete(table).where(
            table.c[count] <= 0, tuple_(*(table.c[name] for name in keys)).in_(lowered)).execution_options(**_ALL))


def lock_order(cell):
    """The order in which cells are written (and locked): the same in every transaction."""
    return tuple(str(part) for part in cell)
