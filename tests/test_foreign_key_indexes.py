"""Every foreign key leads an index, in the migrated database of the core and every plugin.

Without one, deleting the row a key points to (a person erased, an organisation
or a module removed) makes the database scan the whole referencing table, once
per deleted row: fine on the demo, minutes on a territory with a million requests.
"""
from sqlalchemy import inspect, text

from coopserv.extensions import db


def unindexed_foreign_keys(inspector, tables):
    """``table.columns -> referred table`` for each foreign key that no index, primary key or unique key leads."""
    found = []
    for table in tables:
        led = [tuple(index["column_names"]) for index in inspector.get_indexes(table)]
        led.append(tuple(inspector.get_pk_constraint(table)["constrained_columns"]))
        led += [tuple(unique["column_names"]) for unique in inspector.get_unique_constraints(table)]
        for key in inspector.get_foreign_keys(table):
            columns = tuple(key["constrained_columns"])
            if not any(index[:len(columns)] == columns for index in led):
                found.append(f"{table}.{','.join(columns)} -> {key['referred_table']}")
    return sorted(found)


def test_every_foreign_key_leads_an_index(app):
    inspector = inspect(db.engine)
    assert unindexed_foreign_keys(inspector, inspector.get_table_names()) == []


def test_the_check_reports_a_foreign_key_without_an_index(app):
    with db.engine.begin() as connection:
        connection.execute(text('CREATE TABLE scratch_fk (id INTEGER PRIMARY KEY, '
                                'user_id INTEGER REFERENCES "user" (id), '
                                'organization_id INTEGER REFERENCES organization (id))'))
        connection.execute(text("CREATE INDEX ix_scratch_fk_user_id ON scratch_fk (user_id)"))
    try:
        assert unindexed_foreign_keys(inspect(db.engine), ["scratch_fk"]) == ["scratch_fk.organization_id -> organization"]
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE scratch_fk"))
