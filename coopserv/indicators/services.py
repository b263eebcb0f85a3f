"""Indicator values and monthly series, read from snapshots for closed months and computed otherwise."""
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from coopserv.extensions import db
from coopserv.indicators.models import IndicatorCache, IndicatorSharing, IndicatorSnapshot
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import current_territory_id
from coopserv.timeutil import utcnow


def month_start(day):
    return date(day.year, day.month, 1)


def current_month():
    """The month indicators count in now: requests are counted by their UTC month (rollups, snapshots and live
    computations alike), so every page names the same month (in Paris, 00:00-01:00 on the 1st is still the last)."""
    return month_start(utcnow().date())


def next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(first, last):
    """Every month from ``first`` to ``last`` included (both any day of their month)."""
    month, end = month_start(first), month_start(last)
    months = []
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def _as_datetime(day):
    return datetime(day.year, day.month, day.day)


def compute(indicator, module, start, end):
    """Compute an indicator live over [start, end) (dates), from the rows themselves."""
    return measure(indicator, module, _as_datetime(start), _as_datetime(end))


def measure(indicator, module, start, end):
    """An indicator over any period [start, end) (datetimes): its ``compute``, or its rollup's live computation."""
    if indicator.compute is not None:
        return indicator.compute(module, start, end)
    from coopserv.rollups.measures import measure_for
    from coopserv.rollups.services import live_value

    return live_value(measure_for(indicator.key), module, start, end)


def value_over(indicator, module, start, end):
    """An indicator over whole months [start, end): from its rollup when it has one, else computed."""
    if indicator.rollup is not None and start.day == 1 and end.day == 1:
        from coopserv.rollups.measures import measure_for
        from coopserv.rollups.services import period_value

        return period_value(measure_for(indicator.key), module, start, end)
    return measure(indicator, module, _as_datetime(start), _as_datetime(end))


def series(indicator, module, first, last, today=None):
    """Monthly values of one indicator from ``first`` to ``last`` (see ``series_of``)."""
    return series_of([(indicator, module)], first, last, today)[0]


def series_of(pairs, first, last, today=None):
    """Monthly values of several (indicator, module) pairs from ``first`` to ``last``, months included.

    Closed months come from snapshots when recorded (history that survives
    erasure); indicators with a rollup read its stored monthly totals; the
    others are computed and their values cached (``INDICATOR_CACHE_SECONDS``
    while the month is open, ``INDICATOR_CLOSED_CACHE_SECONDS`` once it is
    closed). Three statements for any number of indicators and months, plus
    the computations of stale cached values: the cost does not grow with the
    data.
    """
    months = months_between(first, last)
    current = month_start(today) if today else current_month()
    snapshots = _snapshots(pairs, months)
    rollups = _rollup_values(pairs, months)
    cache = _cached_values(pairs, months, current)
    result, computed = [], []
    for indicator, module in pairs:
        points = []
        for month in months:
            key = (indicator.key, month)
            if month < current and (indicator.key, _module_id(module), month) in snapshots:
                value = snapshots[(indicator.key, _module_id(module), month)]
            elif indicator.rollup is not None:
                value = rollups[key]
            elif key in cache:
                value = cache[key]
            else:
                value = compute(indicator, module, month, next_month(month))
                computed.append((indicator.key, month, value))
            points.append((month, value))
        result.append(points)
    _remember(computed)
    return result


def forget_cached_values(request_ids):
    """Drop the cached values of the services whose requests a transaction changed.

    Called just before the commit that changes them, so a dashboard shows a new
    request at once rather than after ``INDICATOR_CACHE_SECONDS``. One statement
    to find the services and one DELETE; values a plugin computes from its own
    rows, changed without a request, still wait for the cache to expire.
    """
    from sqlalchemy import and_, delete, or_

    from coopserv.modules.models import ServiceModule
    from coopserv.service_requests.models import ServiceRequest
    from coopserv.tenancy import ALL_TERRITORIES

    ids = [i for i in request_ids if i is not None]
    if not ids:
        return
    touched = db.session.execute(
        select(ServiceRequest.territory_id, ServiceModule.service_key).distinct()
        .join(ServiceModule, ServiceModule.id == ServiceRequest.module_id).where(ServiceRequest.id.in_(ids))
        .execution_options(**{ALL_TERRITORIES: True})).all()
    if touched:
        db.session.execute(delete(IndicatorCache).where(or_(*(
            and_(IndicatorCache.territory_id == territory_id, IndicatorCache.indicator_key.startswith(f"{key}.", autoescape=True))
            for territory_id, key in sorted(touched)))).execution_options(**{ALL_TERRITORIES: True}))


def _module_id(module):
    return module.id if module is not None else None


def _snapshots(pairs, months):
    if not pairs or not months:
        return {}
    keys = [indicator.key for indicator, _module in pairs]
    rows = db.session.execute(
        select(IndicatorSnapshot.indicator_key, IndicatorSnapshot.module_id, IndicatorSnapshot.month,
               IndicatorSnapshot.value)
        .where(IndicatorSnapshot.indicator_key.in_(keys), IndicatorSnapshot.month.in_(months))
    ).all()
    wanted = {(indicator.key, _module_id(module)) for indicator, module in pairs}
    return {(key, module_id, month): value for key, module_id, month, value in rows if (key, module_id) in wanted}


def _rollup_values(pairs, months):
    from coopserv.rollups.services import monthly_values

    return monthly_values([(indicator.key, module) for indicator, module in pairs if indicator.rollup is not None],
                          months)


def _cached_values(pairs, months, current):
    """Fresh cached values of the computed indicators, by (key, month)."""
    keys = [indicator.key for indicator, _module in pairs if indicator.rollup is None]
    if not keys or not months:
        return {}
    config = current_app.config
    now = utcnow()
    open_since = now - timedelta(seconds=int(config["INDICATOR_CACHE_SECONDS"]))
    closed_since = now - timedelta(seconds=int(config["INDICATOR_CLOSED_CACHE_SECONDS"]))
    rows = db.session.execute(
        select(IndicatorCache.indicator_key, IndicatorCache.month, IndicatorCache.value, IndicatorCache.computed_at)
        .where(IndicatorCache.indicator_key.in_(keys), IndicatorCache.month.in_(months))
    ).all()
    fresh = {}
    for key, month, value, computed_at in rows:
        closed_when_computed = computed_at >= _as_datetime(next_month(month))
        if computed_at >= open_since or (closed_when_computed and month < current and computed_at >= closed_since):
            fresh[(key, month)] = value
    return fresh


def _remember(computed):
    """Store freshly computed values in their own short transaction, leaving the page's session untouched.

    A cache: when SQLite is locked by the caller's own pending writes, the
    values are simply not kept this time.
    """
    territory_id = current_territory_id()
    if not computed or territory_id is None:
        return
    now = utcnow()
    rows = [{"territory_id": territory_id, "indicator_key": key, "month": month,
             "value": None if value is None else float(value), "computed_at": now} for key, month, value in computed]
    table = IndicatorCache.__table__
    insert = (sqlite_insert if db.engine.dialect.name == "sqlite" else pg_insert)(table)
    statement = insert.on_conflict_do_update(
        index_elements=["territory_id", "indicator_key", "month"],
        set_={"value": insert.excluded.value, "computed_at": insert.excluded.computed_at})
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA busy_timeout = 200")
        try:
            connection.execute(statement, rows)
            connection.commit()
        except OperationalError:
            connection.rollback()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout = 30000")


def _same_module(module):
    if module is None:
        return IndicatorSnapshot.module_id.is_(None)
    return IndicatorSnapshot.module_id == module.id


def territory_indicators():
    """(indicator, module) for the core's indicators and those of every module of the current territory."""
    from coopserv.modules.services import territory_modules

    modules = {m.service_key: m for m in territory_modules()}
    pairs = []
    for indicator in plugin_host().indicators.values():
        if indicator.service_key is None:
            pairs.append((indicator, None))
        elif indicator.service_key in modules:
            pairs.append((indicator, modules[indicator.service_key]))
    return pairs


def snapshot_month(month):
    """Record every indicator of the current territory for ``month`` (idempotent)."""
    month = month_start(month)
    written = 0
    for indicator, module in territory_indicators():
        value = value_over(indicator, module, month, next_month(month))
        row = db.session.scalar(select(IndicatorSnapshot).where(
            _same_module(module), IndicatorSnapshot.indicator_key == indicator.key, IndicatorSnapshot.month == month))
        if row is None:
            row = IndicatorSnapshot(module_id=module.id if module else None, indicator_key=indicator.key, month=month)
            db.session.add(row)
        row.value = value
        row.computed_at = utcnow()
        written += 1
    db.session.commit()
    return written


def sharing_settings():
    """The current territory's sharing choices, by indicator key."""
    return {row.indicator_key: row for row in db.session.scalars(select(IndicatorSharing))}


def set_sharing(indicator_key, compare, public):
    """Record whether an indicator is compared with other territories and published as open data."""
    from coopserv.audit.services import record

    row = db.session.scalar(select(IndicatorSharing).filter_by(indicator_key=indicator_key))
    if row is None:
        row = IndicatorSharing(indicator_key=indicator_key)
        db.session.add(row)
    row.compare, row.public = compare, public
    record("indicator.sharing_changed", indicator_key, compare=compare, public=public)
    db.session.commit()
    return row


def comparison(indicator, first, last, territory_ids=None):
    """The indicator over [first, last] in every territory sharing it: (territory, value, per 1,000 employees).

    ``territory_ids`` limits the comparison to those territories (a network's).
    The sharing territories' modules and headcounts are read for all of them at once, and the
    indicator's values together (``coopserv.indicators.batch``): one statement for every territory
    when the indicator is a rollup or the core's; a plugin's ``query`` one statement per territory,
    its ``compute`` one call per territory. The cost never grows with the territories' data.
    """
    from sqlalchemy import func

    from coopserv.indicators.batch import Asked, measure_many
    from coopserv.modules.models import ServiceModule
    from coopserv.organizations.models import Organization
    from coopserv.tenancy import ALL_TERRITORIES, prime_cached, territory_scope
    from coopserv.territories.models import Territory

    every = {ALL_TERRITORIES: True}  # the reads below name their territories themselves
    query = (select(Territory).join(IndicatorSharing, IndicatorSharing.territory_id == Territory.id)
             .where(IndicatorSharing.indicator_key == indicator.key, IndicatorSharing.compare.is_(True)))
    if territory_ids is not None:
        query = query.where(Territory.id.in_(list(territory_ids)))
    territories = db.session.scalars(query.order_by(Territory.name).execution_options(**every)).all()
    ids = [territory.id for territory in territories]
    modules_of = {territory_id: [] for territory_id in ids}
    for module in db.session.scalars(select(ServiceModule).where(ServiceModule.territory_id.in_(ids))
                                     .order_by(ServiceModule.service_key).execution_options(**every)) if ids else ():
        modules_of[module.territory_id].append(module)
    headcounts = dict(db.session.execute(
        select(Organization.territory_id, func.coalesce(func.sum(Organization.employee_count), 0))
        .where(Organization.territory_id.in_(ids)).group_by(Organization.territory_id)
        .execution_options(**every)).all()) if indicator.per_employees and ids else {}
    start, end = _as_datetime(month_start(first)), _as_datetime(next_month(month_start(last)))
    asked = []
    for territory in territories:
        with territory_scope(territory):
            prime_cached("modules", modules_of[territory.id])  # as get_module reads them, for the plugin too
        module = next((m for m in modules_of[territory.id] if m.service_key == indicator.service_key), None)
        if indicator.service_key and module is None:
            continue
        asked.append(Asked(indicator, module, start, end, territory))
    values, _also = measure_many(asked)
    rows = []
    for item, value in zip(asked, values):
        employees = headcounts.get(item.territory.id, 0)
        per_thousand = (round(value * 1000 / employees, 2) if indicator.per_employees and employees and value
                        is not None else None)
        rows.append((item.territory, value, per_thousand))
    return rows


def drop_snapshots(indicator_key, months=None):
    """Forget recorded monthly values of an indicator (all, or some months) whose source data changed.

    Closed months are read from snapshots; when a figure arrives late or the
    way an indicator is measured changes, those months are computed again.
    """
    from sqlalchemy import delete

    statement = delete(IndicatorSnapshot).where(IndicatorSnapshot.indicator_key == indicator_key)
    if months is not None:
        statement = statement.where(IndicatorSnapshot.month.in_(list(months)))
    db.session.execute(statement.execution_options(synchronize_session=False))
