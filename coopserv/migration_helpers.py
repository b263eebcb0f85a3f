"""Helpers for Alembic revisions, the core's and the plugins' (through ``coopserv.plugin_api``).

A revision's data conversion or schema change is written once here when several revisions need
it; the helpers take everything they depend on as arguments, so a revision keeps doing what it did
when it was written even if the models change later.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_notification = sa.table("notification", sa.column("id", sa.Integer), sa.column("message", sa.String),
                         sa.column("params", sa.JSON))


def convert_notification_param(messages, convert, key="date"):
    """Rewrite the parameter ``key`` of the stored notifications whose message is one of ``messages``.

    ``convert(value)`` returns the new value, or None to leave that row alone (a value already
    converted, or one it does not recognise). Revisions that change how a message's parameter is
    stored (a date kept as text, then tagged) convert older rows with it, up and down.
    """
    connection = op.get_bind()
    rows = connection.execute(sa.select(_notification.c.id, _notification.c.params)
                              .where(_notification.c.message.in_(messages))).all()
    for row_id, params in rows:
        new = convert((params or {}).get(key))
        if new is not None:
            connection.execute(_notification.update().where(_notification.c.id == row_id)
                               .values(params={**params, key: new}))


def json_columns_to_jsonb(columns):
    """Turn ``(table, column)`` JSON columns into JSONB on PostgreSQL, as ``JSONDocument`` declares them.

    SQLite has one JSON text type: nothing to change there.
    """
    _retype(columns, postgresql.JSONB(), "jsonb")


def jsonb_columns_to_json(columns):
    """Undo ``json_columns_to_jsonb`` (for downgrades)."""
    _retype(columns, postgresql.JSON(), "json")


def index_columns(columns):
    """Give each ``(table, column)`` an index of its own, named as ``index=True`` names it (``ix_<table>_<column>``).

    Used for foreign keys that no index led: without one, deleting the row a key
    points to scans the whole referencing table.
    """
    for table, column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def drop_column_indexes(columns):
    """Undo ``index_columns`` (for downgrades)."""
    for table, column in reversed(columns):
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def _retype(columns, type_, cast):
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in columns:
        op.alter_column(table, column, type_=type_, postgresql_using=f"{column}::{cast}")
