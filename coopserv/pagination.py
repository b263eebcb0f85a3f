"""Pagination by key: long lists (queues, a person's requests, the audit log) page by id, never by OFFSET.

A page ``?before=<id>`` lists the rows older than that id, ``?after=<id>`` the
rows newer than it; both cost one indexed range read of ``per_page + 1`` rows,
however far from the start the page is.
"""
from dataclasses import dataclass

from flask import request

from coopserv.extensions import db


@dataclass
class KeysetPage:
    """One page of rows (newest first), with the keys that lead to the newer and older pages (or None)."""

    rows: list
    newer: int | None = None
    older: int | None = None


def page_keys():
    """The ``before`` and ``after`` keys of the current request (None when absent or not numbers)."""
    return request.args.get("before", type=int), request.args.get("after", type=int)


def keyset_page(query, key, before=None, after=None, per_page=25):
    """Load the page of ``query`` (a select of one entity) around ``before``/``after`` along ``key`` (its id)."""
    if after is not None:
        rows = list(db.session.scalars(query.where(key > after).order_by(key.asc()).limit(per_page + 1)))
        has_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(rows, newer=_key(rows[0], key) if rows and has_newer else None,
                          older=_key(rows[-1], key) if rows else None)
    if before is not None:
        query = query.where(key < before)
    rows = list(db.session.scalars(query.order_by(key.desc()).limit(per_page + 1)))
    older = _key(rows[per_page - 1], key) if len(rows) > per_page else None
    rows = rows[:per_page]
    # A page reached with ``before`` came from a newer one, which still exists.
    return KeysetPage(rows, newer=_key(rows[0], key) if before is not None and rows else None, older=older)


def _key(row, key):
    return getattr(row, key.key)
