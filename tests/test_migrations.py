"""The Alembic migrations create exactly what the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coopserv.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_no_table_is_left_without_a_model(app):
    """Sanity check of the comparison itself: the migrated database has the core and concierge tables."""
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    assert {"territory", "user", "membership", "service_module", "service_request", "concierge_order"} <= tables
