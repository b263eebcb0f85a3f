"""Indicator values and monthly series, read from snapshots for closed months and computed otherwise."""
from datetime import date, datetime

from sqlalchemy import select

from coopserv.extensions import db
from coopserv.indicators.models import IndicatorSharing, IndicatorSnapshot
from coopserv.modules.models import ServiceModule
from coopserv.plugin_host import plugin_host
from coopserv.timeutil import utcnow


def month_start(day):
    return date(day.year, day.month, 1)


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
    """Compute an indicator live over [start, end) (dates)."""
    return indicator.compute(module, _as_datetime(start), _as_datetime(end))


def series(indicator, module, first, last, today=None):
    """Monthly values from ``first`` to ``last``: snapshots for closed months when recorded, live otherwise.

    Costs one query for the snapshots plus one computation per month without
    a snapshot: bounded by the number of months, not by the data volume.
    """
    months = months_between(first, last)
    stored = dict(db.session.execute(
        select(IndicatorSnapshot.month, IndicatorSnapshot.value)
        .where(_same_module(module), IndicatorSnapshot.indicator_key == indicator.key,
               IndicatorSnapshot.month.in_(months))
    ).all())
    current = month_start(today or utcnow().date())
    points = []
    for month in months:
        if month in stored and month < current:
            points.append((month, stored[month]))
        else:
            points.append((month, compute(indicator, module, month, next_month(month))))
    return points


def _same_module(module):
    if module is None:
        return IndicatorSnapshot.module_id.is_(None)
    return IndicatorSnapshot.module_id == module.id


def territory_indicators():
    """(indicator, module) for the core's indicators and those of every module of the current territory."""
    modules = {m.service_key: m for m in db.session.scalars(select(ServiceModule)).all()}
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
        value = compute(indicator, module, month, next_month(month))
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


def employees_of_territory():
    """Headcount of the current territory's member organizations (for per-1,000-employee figures)."""
    from sqlalchemy import func

    from coopserv.organizations.models import Organization

    return db.session.scalar(select(func.coalesce(func.sum(Organization.employee_count), 0))) or 0


def comparison(indicator, first, last, territory_ids=None):
    """The indicator over [first, last] in every territory sharing it: (territory, value, per 1,000 employees).

    ``territory_ids`` limits the comparison to those territories (a network's).
    One territory at a time, each in its own scope: the cost grows with the
    number of sharing territories, never with their data.
    """
    from coopserv.modules.services import get_module
    from coopserv.tenancy import ALL_TERRITORIES, territory_scope
    from coopserv.territories.models import Territory

    query = (select(Territory).join(IndicatorSharing, IndicatorSharing.territory_id == Territory.id)
             .where(IndicatorSharing.indicator_key == indicator.key, IndicatorSharing.compare.is_(True)))
    if territory_ids is not None:
        query = query.where(Territory.id.in_(list(territory_ids)))
    territories = db.session.scalars(query.order_by(Territory.name).execution_options(**{ALL_TERRITORIES: True})).all()
    rows = []
    for territory in territories:
        with territory_scope(territory):
            module = get_module(indicator.service_key) if indicator.service_key else None
            if indicator.service_key and module is None:
                continue
            value = compute(indicator, module, month_start(first), next_month(month_start(last)))
            employees = employees_of_territory()
            per_thousand = (round(value * 1000 / employees, 2) if indicator.per_employees and employees and value
                            is not None else None)
            rows.append((territory, value, per_thousand))
    return rows
