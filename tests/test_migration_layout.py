"""Each plugin owns its migration branch, and databases of the first layout upgrade to it keeping their rows."""
import os
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from coopserv import create_app
from coopserv.extensions import db
from coopserv.migration_layout import FIRST_LAYOUT_TABLES, LegacyLayoutError, is_first_layout, new_heads
from coopserv.testing import base_test_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGACY = os.path.join(ROOT, "tests", "fixtures", "legacy_migrations")
BUILT_IN = ("concierge", "spouse_welcome", "childminder_house", "iot_training", "mobility", "smart_parking")


def _scratch_database(tmp_path):
    """A database of this test's own: SQLite in tmp_path, or a fresh PostgreSQL database beside the suite's."""
    url = os.environ.get("COOPSERV_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        return "sqlite:///" + str(tmp_path / "legacy.sqlite")
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_legacy_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _versions(url):
    engine = create_engine(url)
    with engine.connect() as connection:
        found = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    return found


def _script(app):
    from flask_migrate import Migrate

    config = app.extensions["migrate"].migrate.get_config(app.extensions["migrate"].directory)
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    return ScriptDirectory.from_config(config)


def _insert(connection, table_name, **values):
    """Insert a row into a table as the old layout defined it (reflected), filling its other required columns.

    The current models describe columns later revisions add, so the old database is written through
    its own schema.
    """
    from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Numeric, Table

    table = Table(table_name, MetaData(), autoload_with=connection)
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        kind = column.type
        row[column.name] = (False if isinstance(kind, Boolean) else datetime(2026, 11, 30, 8, 0)
                            if isinstance(kind, DateTime) else datetime(2026, 11, 30).date()
                            if isinstance(kind, Date) else 0 if isinstance(kind, (Integer, Numeric))
                            else {} if kind.__class__.__name__ == "JSON" else "")
    return connection.execute(table.insert().values(**row).returning(table.c.id)).scalar()


def _seed(url):
    """Rows in core tables of every revision and in two plugins' tables, through the old schema itself."""
    engine = create_engine(url)
    with engine.begin() as connection:
        territory = _insert(connection, "territory", slug="figeac", name="Figeac", region="", primary_color="#1d5e3a",
                            accent_color="#f2c14e", default_language="fr")
        user = _insert(connection, "user", email="camille@example.org", name="Camille", password_hash="not a hash")
        organization = _insert(connection, "organization", territory_id=territory, name="Figeac Aéro")
        module = _insert(connection, "service_module", territory_id=territory, service_key="concierge",
                         stage="perennial", config={}, enabled=True)
        _insert(connection, "concierge_provider", territory_id=territory, name="Pressing du Célé")
        _insert(connection, "mobility_town", territory_id=territory, name="Capdenac", latitude=44.58, longitude=2.07)
        _insert(connection, "need_category", territory_id=territory, key="mobility", family="employee",
                label="Mobilité")
        _insert(connection, "service_request", territory_id=territory, module_id=module, requester_id=user,
                organization_id=organization, status="submitted", payload={"notes": "Amidon léger"})
    engine.dispose()


def _counts(url):
    engine = create_engine(url)
    tables = ("territory", "user", "organization", "service_module", "service_request", "concierge_provider",
              "mobility_town", "need_category")
    with engine.connect() as connection:
        found = {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() for table in tables}
    engine.dispose()
    return found


def test_every_built_in_plugin_owns_a_branch_and_the_core_descends_from_no_plugin(app):
    script = _script(app)
    heads = set(script.get_heads())
    for name in BUILT_IN:
        first = script.get_revision(f"{name}_0001_tables")
        assert first.down_revision is None and first.branch_labels == {name}
        assert os.path.dirname(first.path).endswith(os.path.join(name, "migrations", "versions"))
        assert script.get_revision(f"{name}@head").revision in heads
    core_chain = [revision.revision for revision in script.iterate_revisions("core@head", "base")]
    assert core_chain[-1] == "0001_core" and not any(rev.startswith(BUILT_IN) for rev in core_chain)
    for revision in core_chain:
        assert os.path.dirname(script.get_revision(revision).path) == os.path.join(
            app.extensions["migrate"].directory, "versions")


MAIN_HEADS = {"p13_interop_0001_parking", "p13_interop_0002_mobility", "p9_robust_0001_session_version"}


@pytest.mark.parametrize("legacy_target, legacy_versions", [
    ("0011_merge", {"0011_merge"}),
    # main's heads just before the move: three revisions off 0011_merge that kept their ids.
    ("heads", MAIN_HEADS),
])
def test_a_database_of_the_first_layout_upgrades_and_keeps_its_rows(tmp_path, legacy_target, legacy_versions):
    url = _scratch_database(tmp_path)
    legacy = Config()
    legacy.set_main_option("script_location", LEGACY)
    legacy.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(legacy, legacy_target)
    assert _versions(url) == legacy_versions

    _seed(url)
    app = create_app(base_test_config(str(tmp_path), url))
    before = _counts(url)
    assert set(before.values()) == {1}

    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        script = _script(app)
        assert _versions(url) == set(script.get_heads())
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                           db.metadata)
        assert differences == []
        # Upgrading again changes nothing; every branch can be walked down and up again.
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        db.engine.dispose()
    assert _counts(url) == before


def test_new_heads_follow_what_the_first_layout_had_applied(app):
    script = _script(app)
    assert new_heads({"0011_merge"}, script) == sorted(
        ["core_0004_governance"] + [f"{name}_0001_tables" for name in BUILT_IN])
    # Before the merge: concierge and mobility tables, the cooperation tables, nothing else.
    assert new_heads({"0006_mobility", "0008_cooperation"}, script) == sorted(
        ["concierge_0001_tables", "core_0002_cooperation", "mobility_0001_tables"])
    assert new_heads({"0002_concierge"}, script) == ["concierge_0001_tables"]
    # main's heads before the move: the kept revisions head their owners' branches.
    assert new_heads(MAIN_HEADS, script) == sorted(
        MAIN_HEADS | {f"{name}_0001_tables" for name in ("concierge", "spouse_welcome", "childminder_house",
                                                         "iot_training")})


def test_kept_ids_alone_are_the_first_layout_only_when_every_plugin_table_exists():
    every_table = set(FIRST_LAYOUT_TABLES) | {"territory", "user"}
    assert is_first_layout(MAIN_HEADS, every_table)
    assert is_first_layout({"p9_robust_0001_session_version"}, every_table)
    # The new layout with only the core, smart parking and mobility enabled records the same ids.
    assert not is_first_layout(MAIN_HEADS, {"territory", "user", "smart_parking_lot", "mobility_business_park"})
    assert not is_first_layout(MAIN_HEADS | {"concierge_0001_tables"}, every_table)
    assert not is_first_layout(set(), every_table)


@pytest.mark.parametrize("app_config", [{"ENABLED_PLUGINS": ["concierge"]}])
def test_upgrading_the_first_layout_with_a_built_in_plugin_disabled_says_what_to_do(app):
    with pytest.raises(LegacyLayoutError) as error:
        new_heads({"0011_merge"}, _script(app))
    assert "mobility_0001_tables" in str(error.value) and "COOPSERV_ENABLED_PLUGINS" in str(error.value)
