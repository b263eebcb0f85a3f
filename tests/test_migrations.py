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


def test_the_concierge_round_is_filled_from_the_open_orders(tmp_path):
    """p18_round_0001_round_cells: existing orders whose request is still open become the round's facts and
    cells (lines summed, orders counted once per cell); delivered orders and orders without a slot do not."""
    from datetime import date, time

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
        downgrade(directory=directory, revision="p17_fk_0002_concierge_indexes")
        with db.engine.begin() as connection:
            territory = _insert(connection, "territory", slug="figeac", name="Figeac", region="",
                                primary_color="#1d5e3a", accent_color="#f2c14e", default_language="fr")
            user = _insert(connection, "user", email="camille@example.org", name="Camille", password_hash="x")
            module = _insert(connection, "service_module", territory_id=territory, service_key="concierge",
                             stage="perennial", config={}, enabled=True)
            provider = _insert(connection, "concierge_provider", territory_id=territory, name="Pressing du Célé")
            point = _insert(connection, "concierge_pickup_point", territory_id=territory, name="ZA de l'Aiguille")
            slot = _insert(connection, "concierge_pickup_slot", territory_id=territory, pickup_point_id=point,
                           weekday=1, starts_at=time(11, 30), ends_at=time(14, 0))
            day = date(2026, 12, 8)

            def order(status, lines, slot_id=slot):
                request = _insert(connection, "service_request", territory_id=territory, module_id=module,
                                  requester_id=user, status=status, payload={})
                order_id = _insert(connection, "concierge_order", territory_id=territory, request_id=request,
                                   requester_id=user, slot_id=slot_id, dropoff_date=day)
                for label, quantity in lines:
                    _insert(connection, "concierge_order_line", territory_id=territory, order_id=order_id,
                            provider_id=provider, label=label, quantity=quantity, unit_price_cents=350)

            order("submitted", [("Chemise", 2), ("Costume", 1)])
            order("ready", [("Chemise", 3)])
            order("delivered", [("Chemise", 5)])
            order("submitted", [("Chemise", 7)], slot_id=None)
        upgrade(directory=directory, revision="heads")
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        cells = {tuple(row[:4]): tuple(row[4:]) for row in connection.execute(text(
            "SELECT slot_id, CAST(dropoff_date AS VARCHAR(10)), provider_id, label, quantity, orders "
            "FROM concierge_round_cell"))}
        facts = connection.execute(text("SELECT count(*) FROM concierge_round_fact")).scalar()
    engine.dispose()
    assert cells == {(slot, "2026-12-08", provider, "Chemise"): (5, 2), (slot, "2026-12-08", provider, "Costume"): (1, 1)}
    assert facts == 3
