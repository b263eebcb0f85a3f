"""Keep rollups right: apply what changed requests now contribute, rebuild from scratch, and read totals.

Writes happen in the caller's transaction (the one that changed the
requests), so a page never sees a request without its totals.
"""
import hashlib
from collections import defaultdict
from datetime import date

from sqlalchemy import and_, bindparam, delete, func, insert, literal, literal_column, select, true, tuple_, update

from coopserv.extensions import db
from coopserv.rollups.measures import (
    REQUESTS,
    cell_value,
    empty_value,
    fact_select,
    facts_of_requests,
    fingerprint,
    measure_for,
    measures,
)
from coopserv.rollups.increments import add_to_cells, lock_order, store_changed_facts
from coopserv.rollups.models import ALL_ORGANIZATIONS, RequestFact, RequestRollup, RollupBuild
from coopserv.service_types import DISTINCT_REQUESTERS
from coopserv.sqlcompat import grouped_percentile
from coopserv.tenancy import ALL_TERRITORIES, current_territory_id
from coopserv.timeutil import utcnow

FACT_COLUMNS = ("territory_id", "rollup_key", "request_id", "module_id", "organization_id", "month", "status",
                "requester_id", "value")
CELL_KEY = ("territory_id", "rollup_key", "module_id", "organization_id", "month", "status")
#: Requests refreshed per statement (keeps IN lists short).
CHUNK = 500


def _read(query):
    """Run a read that names its territories itself (by id or by request)."""
    return db.session.execute(query.execution_options(**{ALL_TERRITORIES: True}))


def _scalar(query):
    return db.session.scalar(query.execution_options(**{ALL_TERRITORIES: True}))


# -- incremental ---------------------------------------------------------------------------

def refresh_requests(request_ids):
    """Make the rollups match what ``request_ids`` contribute now (new, moved, anonymised or deleted requests)."""
    ids = sorted({i for i in request_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start:start + CHUNK])
    for _key, rollup in sorted(plugin_rollups().items()):
        if rollup.refresh is not None and ids:
            rollup.refresh(ids)


def _refresh(ids):
    # Every statement names its rows (ids, cells with their territory): an erasure spans territories.
    table = RequestFact.__table__
    new = {(row.rollup_key, row.request_id): row for row in _read(select(facts_of_requests(ids)))}
    old = {(row.rollup_key, row.request_id): row for row in _read(
        select(*(table.c[name] for name in FACT_COLUMNS), table.c.id).where(table.c.request_id.in_(ids)))}
    changed = store_changed_facts(table, FACT_COLUMNS, new, old, _fact)
    if not changed:
        return
    by_key = {measure.key: measure for measure in measures()}
    now = utcnow()
    changes = defaultdict(lambda: {"count": 0, "total": 0.0, "value": None, "updated_at": now})
    recount = set()
    for pair in changed:
        for row, sign in zip(pair, (-1, 1)):
            measure = by_key.get(row.rollup_key) if row is not None else None
            if measure is None:
                continue
            for cell in _cells(measure, row):
                changes[cell]["count"] += sign
                changes[cell]["total"] += sign * (row.value or 0.0)
                if not measure.additive:
                    recount.add(cell)
    add_to_cells(RequestRollup.__table__, CELL_KEY, changes, amounts=("count", "total"), count="count",
                 replace=("updated_at",))
    _recompute(sorted(recount, key=lock_order), by_key)


def _fact(row):
    if row is None:
        return None
    return tuple(_plain(getattr(row, name)) for name in FACT_COLUMNS)


def _plain(value):
    """Compare facts read from the database and from a query alike (SQLite gives months as text)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


def _cells(measure, row):
    status = row.status if measure.by_status else ""
    month = _plain(row.month)
    cells = [(row.territory_id, measure.key, row.module_id, ALL_ORGANIZATIONS, month, status)]
    if measure.declaration.by_organization and row.organization_id is not None:
        cells.append((row.territory_id, measure.key, row.module_id, row.organization_id, month, status))
    return cells


def _recompute(cells, by_key):
    """Recompute distinct counts and percentiles of the cells whose facts changed, from those facts."""
    updates = []
    for cell in cells:
        measure = by_key[cell[1]]
        facts = _cell_facts(cell)
        if measure.declaration.aggregate == DISTINCT_REQUESTERS:
            value = _scalar(select(func.count(func.distinct(facts.c.requester_id))))
        else:
            value = _scalar(grouped_percentile(facts, facts.c.value, (), measure.declaration.percentile))
        updates.append({**dict(zip(("t", "k", "m", "o", "mo", "s"), cell)), "new_value": value})
    if updates:
        table = RequestRollup.__table__
        db.session.execute(
            update(table).where(table.c.territory_id == bindparam("t"), table.c.rollup_key == bindparam("k"),
                                table.c.module_id == bindparam("m"), table.c.organization_id == bindparam("o"),
                                table.c.month == bindparam("mo"), table.c.status == bindparam("s"))
            .values(value=bindparam("new_value")).execution_options(synchronize_session=False, **{ALL_TERRITORIES: True}),
            updates)


def _cell_facts(cell):
    territory_id, key, module_id, organization_id, month, status = cell
    table = RequestFact.__table__
    query = select(table.c.requester_id, table.c.value).where(
        table.c.territory_id == territory_id, table.c.rollup_key == key, table.c.module_id == module_id,
        table.c.month == month)
    if organization_id != ALL_ORGANIZATIONS:
        query = query.where(table.c.organization_id == organization_id)
    if status:
        query = query.where(table.c.status == status)
    return query.subquery()


# -- rebuild -------------------------------------------------------------------------------

def rebuild(keys=None, territory_id=None):
    """Recompute rollups from the requests, set-based (every rollup, or ``keys``; every territory, or one).

    Plugins' own rollups (``ServiceType.rollups``) are rebuilt by their ``rebuild``.
    For history, after a bulk import, or after a definition changed. The caller commits.
    """
    chosen = [measure for measure in measures() if keys is None or measure.key in keys]
    for measure in chosen:
        _rebuild_one(measure, territory_id)
        if territory_id is None:
            _record_build(measure.key, fingerprint(measure))
    own = [rollup for key, rollup in sorted(plugin_rollups().items()) if keys is None or key in keys]
    for rollup in own:
        rollup.rebuild(territory_id)
        if territory_id is None:
            _record_build(rollup.key, plugin_fingerprint(rollup))
    return [measure.key for measure in chosen] + [rollup.key for rollup in own]


def _record_build(key, digest):
    row = db.session.get(RollupBuild, key) or RollupBuild(rollup_key=key)
    row.fingerprint, row.built_at = digest, utcnow()
    db.session.add(row)


def plugin_rollups():
    """The aggregates plugins keep of their own rows, by key."""
    from coopserv.plugin_host import plugin_host

    return plugin_host().plugin_rollups()


def plugin_fingerprint(rollup):
    return hashlib.sha256(f"{rollup.key}|{rollup.version}".encode()).hexdigest()


def local_time_keys():
    """Keys of the rollups cut in local time, which a territory's change of time zone makes stale."""
    return [key for key, rollup in sorted(plugin_rollups().items()) if rollup.local_time]


def rollup_keys():
    """Every rollup's key: the core's request rollups, then plugins' own."""
    return [measure.key for measure in measures()] + sorted(plugin_rollups())


def outdated_keys():
    """Rollups never built, or built from another definition than today's."""
    built = dict(_read(select(RollupBuild.rollup_key, RollupBuild.fingerprint)).all())
    return ([measure.key for measure in measures() if built.get(measure.key) != fingerprint(measure)]
            + [key for key, rollup in sorted(plugin_rollups().items())
               if built.get(key) != plugin_fingerprint(rollup)])


def _rebuild_one(measure, territory_id):
    facts, cells = RequestFact.__table__, RequestRollup.__table__
    for table in (facts, cells):
        condition = table.c.rollup_key == measure.key
        if territory_id is not None:
            condition = and_(condition, table.c.territory_id == territory_id)
        # Every territory, or the one named in the condition: not the one in scope.
        db.session.execute(delete(table).where(condition).execution_options(**{ALL_TERRITORIES: True}))
    source = fact_select(measure, territory_id=territory_id)
    db.session.execute(insert(facts).from_select(list(FACT_COLUMNS), source))
    scope = [facts.c.rollup_key == measure.key]
    if territory_id is not None:
        scope.append(facts.c.territory_id == territory_id)
    # Constants stand for "every organization" and "no status"; only real columns are grouped by.
    status, status_groups = (facts.c.status, [facts.c.status]) if measure.by_status else (literal_column("''"), [])
    groupings = [(literal_column(str(ALL_ORGANIZATIONS)), [], [])]
    if measure.declaration.by_organization:
        groupings.append((facts.c.organization_id, [facts.c.organization_id.is_not(None)],
                          [facts.c.organization_id]))
    for organization, extra, organization_groups in groupings:
        grouped = select(facts.c.territory_id, facts.c.rollup_key, facts.c.module_id, organization.label("o"),
                         facts.c.month, status.label("s"), func.count(), func.sum(facts.c.value),
                         literal(utcnow())).where(*scope, *extra) \
            .group_by(facts.c.territory_id, facts.c.rollup_key, facts.c.module_id, facts.c.month,
                      *organization_groups, *status_groups)
        db.session.execute(insert(cells).from_select([*CELL_KEY, "count", "total", "updated_at"], grouped))
        if not measure.additive:
            _rebuild_values(measure, scope + extra, organization, status)


def _rebuild_values(measure, conditions, organization, status):
    """Distinct counts or percentiles of every cell of the rollup, in one grouped statement."""
    facts, cells = RequestFact.__table__, RequestRollup.__table__
    source = select(facts.c.territory_id, facts.c.module_id, organization.label("o"), facts.c.month,
                    status.label("s"), facts.c.requester_id, facts.c.value).where(*conditions).subquery()
    groups = [source.c.territory_id, source.c.module_id, source.c.o, source.c.month, source.c.s]
    if measure.declaration.aggregate == DISTINCT_REQUESTERS:
        query = select(*groups, func.count(func.distinct(source.c.requester_id))).group_by(*groups)
    else:
        query = grouped_percentile(source, source.c.value, groups, measure.declaration.percentile)
    rows = [{"t": t, "m": m, "o": o, "mo": mo, "s": s, "new_value": value}
            for t, m, o, mo, s, value in _read(query)]
    if rows:
        db.session.execute(
            update(cells).where(cells.c.territory_id == bindparam("t"), cells.c.rollup_key == measure.key,
                                cells.c.module_id == bindparam("m"), cells.c.organization_id == bindparam("o"),
                                cells.c.month == bindparam("mo"), cells.c.status == bindparam("s"))
            .values(value=bindparam("new_value"))
            # Each row names its territory: the rebuild covers every territory, or the one asked for.
            .execution_options(synchronize_session=False, **{ALL_TERRITORIES: True}), rows)


# -- reading -------------------------------------------------------------------------------

def monthly_values(pairs, months):
    """{(key, month): figure} for (measure key, module) pairs over ``months``, in one statement."""
    pairs = [(key, module) for key, module in pairs if module is not None]
    if not pairs or not months:
        return {}
    cells = RequestRollup.__table__
    rows = _read(
        select(cells.c.rollup_key, cells.c.module_id, cells.c.month, cells.c.count, cells.c.total, cells.c.value)
        .where(cells.c.territory_id == current_territory_id(), cells.c.organization_id == ALL_ORGANIZATIONS,
               cells.c.status == "", tuple_(cells.c.rollup_key, cells.c.module_id).in_(
                   [(key, module.id) for key, module in pairs]),
               cells.c.month >= min(months), cells.c.month <= max(months))
    ).all()
    stored = {(key, _plain(month)): (count, total, value) for key, _module, month, count, total, value in rows}
    result = {}
    for key, _module in pairs:
        measure = measure_for(key)
        for month in months:
            found = stored.get((key, month))
            result[(key, month)] = cell_value(measure, *found) if found else empty_value(measure)
    return result


def period_value(measure, module, first_month, end_month):
    """The figure of a rollup over the months in [first_month, end_month): summed cells, or its facts."""
    cells, facts = RequestRollup.__table__, RequestFact.__table__
    aggregate = measure.declaration.aggregate
    if measure.additive:
        count, total = _read(
            select(func.coalesce(func.sum(cells.c.count), 0), func.coalesce(func.sum(cells.c.total), 0.0))
            .where(cells.c.territory_id == module.territory_id, cells.c.rollup_key == measure.key,
                   cells.c.module_id == module.id, cells.c.organization_id == ALL_ORGANIZATIONS,
                   cells.c.status == "", cells.c.month >= first_month, cells.c.month < end_month)).one()
        return cell_value(measure, count, total, None)
    source = select(facts.c.requester_id, facts.c.value).where(
        facts.c.territory_id == module.territory_id, facts.c.rollup_key == measure.key,
        facts.c.module_id == module.id, facts.c.month >= first_month, facts.c.month < end_month).subquery()
    count = _scalar(select(func.count()).select_from(source))
    if aggregate == DISTINCT_REQUESTERS:
        value = _scalar(select(func.count(func.distinct(source.c.requester_id))))
    else:
        value = _scalar(grouped_percentile(source, source.c.value, (), measure.declaration.percentile))
    return cell_value(measure, count, None, value)


def live_value(measure, module, start, end):
    """The figure of a rollup over any period [start, end) (datetimes), computed from the requests themselves."""
    facts = fact_select(measure, territory_id=module.territory_id, module_id=module.id,
                        created_between=(start, end)).subquery()
    aggregate = measure.declaration.aggregate
    count, total, distinct = _read(
        select(func.count(), func.coalesce(func.sum(facts.c.value), 0.0),
               func.count(func.distinct(facts.c.requester_id)))).one()
    value = distinct if aggregate == DISTINCT_REQUESTERS else None
    if aggregate == "percentile" and count:
        value = _scalar(grouped_percentile(facts, facts.c.value, (), measure.declaration.percentile))
    return cell_value(measure, count, total, value)


def rollup_query(measure, module, start, end):
    """The figure of a rollup over [start, end) (datetimes) as an ``IndicatorQuery`` naming its territory.

    Whole months read the stored cells (additive rollups) or facts; any other
    period is computed from the requests, as ``period_value`` and ``live_value``
    do, so that a page reads many figures in one statement.
    """
    from coopserv.service_types import IndicatorQuery

    cells, facts_table = RequestRollup.__table__, RequestFact.__table__
    aggregate = measure.declaration.aggregate
    whole_months = _month_start(start) and _month_start(end)
    if whole_months and measure.additive:
        query = select(func.coalesce(func.sum(cells.c.count), 0), func.coalesce(func.sum(cells.c.total), 0.0)).where(
            cells.c.territory_id == module.territory_id, cells.c.rollup_key == measure.key,
            cells.c.module_id == module.id, cells.c.organization_id == ALL_ORGANIZATIONS, cells.c.status == "",
            cells.c.month >= start.date(), cells.c.month < end.date())
        return IndicatorQuery(query, lambda row: cell_value(measure, row[0], row[1], None), names_territory=True)

    def facts():
        if whole_months:
            return select(facts_table.c.requester_id, facts_table.c.value).where(
                facts_table.c.territory_id == module.territory_id, facts_table.c.rollup_key == measure.key,
                facts_table.c.module_id == module.id, facts_table.c.month >= start.date(),
                facts_table.c.month < end.date()).subquery()
        return fact_select(measure, territory_id=module.territory_id, module_id=module.id,
                           created_between=(start, end)).subquery()

    source = facts()
    query = select(func.count(), func.coalesce(func.sum(source.c.value), 0.0),
                   func.count(func.distinct(source.c.requester_id))).select_from(source)
    if aggregate == "percentile":
        again = facts()
        ranked = grouped_percentile(again, again.c.value, (), measure.declaration.percentile).subquery()
        counts = query.subquery()
        query = select(*counts.c, ranked.c.percentile).select_from(counts.join(ranked, true()))

    def finish(row):
        count, total, distinct = row[0], row[1], row[2]
        value = distinct if aggregate == DISTINCT_REQUESTERS else (row[3] if len(row) > 3 and count else None)
        return cell_value(measure, count, total, value)

    return IndicatorQuery(query, finish, names_territory=True)


def _month_start(moment):
    return moment.day == 1 and moment.hour == 0 and moment.minute == 0 and moment.second == 0 \
        and moment.microsecond == 0


def request_count_since(module_id, first_month):
    """Requests made to a module from the first day of ``first_month`` on, from the rollup."""
    return _scalar(request_count_since_query(module_id, first_month)) or 0


def request_count_since_query(module_id, first_month):
    """The SELECT behind ``request_count_since``, for a caller adding it to a statement of its own.

    It names the current territory itself: run it with ``all_territories`` or beside rows so scoped.
    """
    cells = RequestRollup.__table__
    return select(func.coalesce(func.sum(cells.c.count), 0)).where(
        cells.c.territory_id == current_territory_id(), cells.c.rollup_key == REQUESTS,
        cells.c.module_id == module_id, cells.c.organization_id == ALL_ORGANIZATIONS,
        cells.c.month >= first_month)


def request_total_query(module_ids, status=None):
    """The SELECT of how many requests ``module_ids`` hold (in ``status`` if given), read from the rollup.

    It names the current territory itself, for a caller adding it to a statement of its own.
    """
    cells = RequestRollup.__table__
    query = select(func.coalesce(func.sum(cells.c.count), 0)).where(
        cells.c.territory_id == current_territory_id(), cells.c.rollup_key == REQUESTS,
        cells.c.module_id.in_(module_ids), cells.c.organization_id == ALL_ORGANIZATIONS)
    return query.where(cells.c.status == status) if status else query


def request_counts(module_ids, organization_id=None):
    """Requests by (module id, month, status) from the rollup, for all organizations or one."""
    if not module_ids:
        return []
    cells = RequestRollup.__table__
    return _read(
        select(cells.c.module_id, cells.c.month, cells.c.status, cells.c.count)
        .where(cells.c.territory_id == current_territory_id(), cells.c.rollup_key == REQUESTS,
               cells.c.module_id.in_(module_ids),
               cells.c.organization_id == (organization_id if organization_id is not None else ALL_ORGANIZATIONS))
    ).all()

