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


def test_accessibility_audit_rates_are_copied_onto_their_territories(tmp_path):
    """p14_ceilings_0001_a11y_rate: a territory whose accessibility statement gives a manual audit rate keeps it
    on its own row; a statement without a rate, another page's fields and a territory without pages give none."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine, text

    from coopserv import create_app
    from coopserv.testing import base_test_config
    from tests.test_migration_layout import _insert, _scratch_database

    url = _scratch_database(tmp_path)
    app = create_app(base_test_config(str(tmp_path), url))
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="heads")
        downgrade(directory=directory, revision="p12_final_0001_platform_tokens")
        with db.engine.begin() as connection:
            def territory(slug):
                return _insert(connection, "territory", slug=slug, name=slug.title(), region="",
                               primary_color="#1d5e3a", accent_color="#f2c14e", default_language="fr")

            audited, unaudited, elsewhere, bare = (territory(slug) for slug in ("figeac", "autun", "tarare", "gourdon"))
            _insert(connection, "legal_page", territory_id=audited, kind="accessibility",
                    fields={"audit_rate": 62.5, "status": "partial"})
            _insert(connection, "legal_page", territory_id=unaudited, kind="accessibility", fields={"status": "none"})
            _insert(connection, "legal_page", territory_id=elsewhere, kind="legal_notice", fields={"audit_rate": 90})
        upgrade(directory=directory, revision="heads")
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        rates = dict(connection.execute(text("SELECT id, accessibility_audit_rate FROM territory")).all())
    engine.dispose()
    assert rates == {audited: 62.5, unaudited: None, elsewhere: None, bare: None}
