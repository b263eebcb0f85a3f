"""Schema changes that several Alembic revisions (the core's and plugins') make alike, written once."""
from alembic import op
from sqlalchemy.dialects import postgresql


def json_columns_to_jsonb(columns):
    """Turn ``(table, column)`` JSON columns into JSONB on PostgreSQL, as ``JSONDocument`` declares them.

    SQLite has one JSON text type: nothing to change there.
    """
    _retype(columns, postgresql.JSONB(), "jsonb")


def jsonb_columns_to_json(columns):
    """Undo ``json_columns_to_jsonb`` (for downgrades)."""
    _retype(columns, postgresql.JSON(), "json")


def _retype(columns, type_, cast):
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in columns:
        op.alter_column(table, column, type_=type_, postgresql_using=f"{column}::{cast}")
