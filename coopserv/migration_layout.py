"""Move a database migrated with the first layout (one chain up to ``0011_merge``) to per-plugin branches.

Until the built-in plugins kept their own migrations, every revision lived in
the core's ``migrations/versions`` and the core's chain descended from the
concierge's tables. Each of those revisions now lives elsewhere under a new id
(same schema change, new place in the graph), so an id of the first layout in
``alembic_version`` can only come from a database migrated before: it is
relabelled once, before Alembic reads its heads. No table or row is touched.

Three revisions written on the first layout after ``0011_merge`` kept their ids
and moved to their owner's branch (``KEPT``). A database whose
``alembic_version`` holds only those ids is ambiguous: it may be of the first
layout (every plugin's tables exist, no plugin branch is recorded) or of the
new one with only the core, smart parking and mobility enabled. The tables
tell: the first layout had created every built-in plugin's tables.
"""
import logging

from sqlalchemy import inspect, text

log = logging.getLogger(__name__)

#: Every revision of the first layout and its parents (down revisions and dependencies).
LEGACY_PARENTS = {
    "0001_core": (),
    "0002_concierge": ("0001_core",),
    "0003_spouse_welcome": ("0002_concierge",),
    "0004_childminder_house": ("0002_concierge",),
    "0005_iot_training": ("0002_concierge",),
    "0006_mobility": ("0002_concierge",),
    "0007_smart_parking": ("0002_concierge",),
    "0008_cooperation": ("0002_concierge",),
    "0009_api": ("0002_concierge",),
    "0010_governance": ("0002_concierge", "0008_cooperation"),
    "0011_merge": ("0003_spouse_welcome", "0004_childminder_house", "0005_iot_training", "0006_mobility",
                   "0007_smart_parking", "0009_api", "0010_governance"),
    "p13_interop_0001_parking": ("0011_merge",),
    "p13_interop_0002_mobility": ("0011_merge",),
    "p9_robust_0001_session_version": ("0011_merge",),
}

#: The id each schema change of the first layout has now (0001_core kept its id and place).
RENAMED = {
    "0002_concierge": "concierge_0001_tables",
    "0003_spouse_welcome": "spouse_welcome_0001_tables",
    "0004_childminder_house": "childminder_house_0001_tables",
    "0005_iot_training": "iot_training_0001_tables",
    "0006_mobility": "mobility_0001_tables",
    "0007_smart_parking": "smart_parking_0001_tables",
    "0008_cooperation": "core_0002_cooperation",
    "0009_api": "core_0003_api_tokens",
    "0010_governance": "core_0004_governance",
}
#: Ids that exist only in the first layout.
RETIRED = set(RENAMED) | {"0011_merge"}
#: Revisions of the first layout that kept their id in the new one (each on its owner's branch).
KEPT = {"p13_interop_0001_parking", "p13_interop_0002_mobility", "p9_robust_0001_session_version"}
#: A table created by each built-in plugin's first revision: all exist in a first-layout database past 0011_merge.
FIRST_LAYOUT_TABLES = ("concierge_pickup_point", "spouse_welcome_hiring_need", "childminder_house_house",
                       "iot_training_course", "mobility_business_park", "smart_parking_lot")


class LegacyLayoutError(RuntimeError):
    """The database needs revisions that no loaded plugin provides (a built-in plugin is disabled)."""


def legacy_applied(versions):
    """Every first-layout revision applied in a database whose ``alembic_version`` holds ``versions``."""
    applied, pending = set(), list(versions)
    while pending:
        revision = pending.pop()
        if revision not in applied:
            applied.add(revision)
            pending.extend(LEGACY_PARENTS[revision])
    return applied


def new_heads(versions, script):
    """The heads of today's graph that stand for the same applied schema as ``versions``."""
    applied = {RENAMED.get(revision, revision) for revision in legacy_applied(versions)} - {"0011_merge"}
    missing = sorted(revision for revision in applied if _get(script, revision) is None)
    if missing:
        raise LegacyLayoutError(
            "This database was migrated before plugins kept their own migrations and needs revisions "
            f"{', '.join(missing)}: enable every built-in plugin (unset COOPSERV_ENABLED_PLUGINS) for this "
            "upgrade, then restrict them again."
        )
    below = set()
    for revision in applied:
        below |= _ancestors(script, revision)
    return sorted(applied - below)


def is_first_layout(versions, tables):
    """Whether ``alembic_version`` (``versions``) was written by the first layout, given the database's tables."""
    if versions & RETIRED:
        return True
    return bool(versions) and versions <= KEPT and set(FIRST_LAYOUT_TABLES) <= set(tables)


def adopt_plugin_branches(connection, script):
    """Relabel a first-layout ``alembic_version`` with today's ids; return the new heads, or None."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    versions = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if not is_first_layout(versions, inspect(connection).get_table_names()):
        return None
    unknown = versions - set(LEGACY_PARENTS)
    if unknown:
        raise LegacyLayoutError(f"alembic_version mixes the first layout with revisions {sorted(unknown)}.")
    heads = new_heads(versions, script)
    connection.execute(text("DELETE FROM alembic_version"))
    for head in heads:
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": head})
    log.warning("Moved alembic_version from %s to the per-plugin layout: %s", sorted(versions), heads)
    return heads


def _get(script, revision):
    from alembic.util import CommandError

    try:
        return script.get_revision(revision)
    except (CommandError, KeyError):
        return None


def _ancestors(script, revision):
    """Revisions strictly below ``revision`` (down revisions and dependencies, transitively)."""
    found, pending = set(), [revision]
    while pending:
        current = _get(script, pending.pop())
        if current is None:
            continue
        for parent in _parents(current):
            if parent not in found:
                found.add(parent)
                pending.append(parent)
    return found


def _parents(revision):
    parents = []
    for value in (revision.down_revision, revision.dependencies):
        if value is None:
            continue
        parents.extend([value] if isinstance(value, str) else value)
    return parents
