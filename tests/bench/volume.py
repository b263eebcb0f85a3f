"""Grow one territory's concierge to N requests with set-based SQL (INSERT … SELECT over a number series).

Two years of orders from 5,000 employees of 20 companies: each request has its order,
one order line and one status change, as in the measurement of issue 14. One request in
fifty belongs to the benchmark's employee, so "my requests" is long too. The rollups are
then rebuilt set-based, as `coopserv indicators rebuild` does. Building 1,000,000
requests takes minutes, not hours: no ORM object is created per row.
"""
import time
from datetime import time as clock
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import text

from coopserv.extensions import db

PASSWORD = "bench-password-1"
COMPANIES = 20
EMPLOYEES = 5_000
SPAN_DAYS = 730
#: The most recent requests are still open (submitted … ready); older ones are settled.
OPEN_SHARE = 0.02


def build_territory(app, slug, request_count, log=print):
    """Create the territory, its people and catalogue through the app, then the volume in SQL; return names."""
    from coopserv_plugins.concierge.models import CatalogItem, PickupPoint, PickupSlot, Provider

    from coopserv.accounts.models import Membership
    from coopserv.accounts.services import create_user
    from coopserv.modules.services import enable_module
    from coopserv.organizations.models import Organization
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import create_territory
    from coopserv.timeutil import utcnow

    with app.app_context():
        territory = create_territory({"slug": slug, "name": f"Bench {request_count:,}"})
        with territory_scope(territory):
            companies = [Organization(name=f"Company {number:02d}", employee_count=EMPLOYEES // COMPANIES)
                         for number in range(COMPANIES)]
            db.session.add_all(companies)
            db.session.flush()
            company = companies[0]
            module = enable_module("concierge", stage="perennial")
            people = {}
            for role in ("employee", "service_operator", "territory_admin"):
                user = create_user(role.replace("_", " ").title(), f"{role}@{slug}.bench", PASSWORD)
                db.session.add(Membership(user_id=user.id, role=role, organization_id=company.id,
                                          module_id=module.id if role == "service_operator" else None))
                people[role] = user
            provider = Provider(name="Pressing du Célé", category="pressing")
            item = CatalogItem(provider=provider, name="Chemise", price_cents=350)
            slot = PickupSlot(pickup_point=PickupPoint(name="ZA de l'Aiguille"), weekday=1, starts_at=clock(11),
                              ends_at=clock(14))
            db.session.add_all([provider, item, slot])
            db.session.commit()
            names = SimpleNamespace(
                slug=slug, territory_id=territory.id, module_id=module.id, first_company=companies[0].id,
                employee=people["employee"].id, operator=people["service_operator"].id,
                admin=people["territory_admin"].id, provider=provider.id, item=item.id, slot=slot.id,
                emails={role: user.email for role, user in people.items()})
        started = time.perf_counter()
        _fill(names, request_count, utcnow())
        filled = time.perf_counter() - started
        log(f"  {request_count:,} requests with orders, lines and history inserted in {filled:.1f} s")
        from coopserv.rollups.services import rebuild

        started = time.perf_counter()
        rebuild(territory_id=names.territory_id)
        db.session.commit()
        log(f"  rollups rebuilt (set-based) in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    return names


def _fill(names, count, now):
    sqlite = db.engine.dialect.name == "sqlite"
    start = now - timedelta(days=SPAN_DAYS)
    step = SPAN_DAYS * 86_400 / max(count, 1)
    employees = min(EMPLOYEES, max(count, 1))
    params = dict(t=names.territory_id, m=names.module_id, n=count, employees=employees, companies=COMPANIES,
                  first_company=names.first_company, me=names.employee, item=names.item, slot=names.slot,
                  provider=names.provider, open_from=int(count * (1 - OPEN_SHARE)), step=step, now=now,
                  start=start, operator=names.operator)
    statements = _SQLITE if sqlite else _POSTGRESQL
    db.session.execute(text(statements[0]), params)
    params["first_user"] = db.session.scalar(
        text("SELECT min(id) FROM \"user\" WHERE email LIKE '%.' || :t || '@volume.bench'"), params)
    for statement in statements[1:]:
        db.session.execute(text(statement), params)
    db.session.commit()


# Numbers 0..n-1 and timestamps in the format each backend stores.
_SQLITE_SERIES = "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :n - 1)"
_SQLITE_TS = "strftime('%Y-%m-%d %H:%M:%f', {base}, '+' || CAST({seconds} AS INTEGER) || ' seconds') || '000'"
_STATUS = ("CASE WHEN i >= :open_from THEN (CASE i % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' "
           "WHEN 2 THEN 'in_progress' ELSE 'ready' END) WHEN i % 20 = 0 THEN 'cancelled' "
           "WHEN i % 20 = 1 THEN 'rejected' ELSE 'delivered' END")
_REQUESTER = "CASE WHEN i % 50 = 0 THEN :me ELSE :first_user + (i % :employees) END"

_SQLITE = [
    # 5,000 employees (accounts that never sign in) and their memberships.
    f"""{_SQLITE_SERIES.replace(':n - 1', ':employees - 1')}
    INSERT INTO "user" (email, name, password_hash, is_platform_admin, created_at)
    SELECT 'employee' || i || '.' || :t || '@volume.bench', 'Employee ' || i, '!', 0, :now FROM seq""",
    """INSERT INTO membership (user_id, role, status, organization_id, module_id, created_at, territory_id)
    SELECT id, 'employee', 'active', :first_company + (id % :companies), NULL, :now, :t
    FROM "user" WHERE email LIKE '%.' || :t || '@volume.bench'""",
    f"""{_SQLITE_SERIES}
    INSERT INTO service_request (module_id, requester_id, organization_id, status, payload, created_at, updated_at,
                                 territory_id)
    SELECT :m, {_REQUESTER}, :first_company + (i % :companies), {_STATUS},
           '{{"items": [{{"item_id": 1, "quantity": 1}}]}}',
           {_SQLITE_TS.format(base=':start', seconds='i * :step')},
           {_SQLITE_TS.format(base=':start', seconds='i * :step')}, :t
    FROM seq""",
    f"""INSERT INTO status_change (request_id, from_status, to_status, actor_id, comment, at, territory_id)
    SELECT id, 'in_progress', CASE WHEN status IN ('delivered', 'ready') THEN 'ready' ELSE status END, :operator, '',
           {_SQLITE_TS.format(base='created_at', seconds='(2 + id % 48) * 3600')}, :t
    FROM service_request WHERE module_id = :m""",
    """INSERT INTO concierge_order (request_id, requester_id, slot_id, dropoff_date, notes, total_cents, territory_id)
    SELECT id, requester_id, :slot, date(created_at, '+3 days'), '', 350 * (1 + id % 5), :t
    FROM service_request WHERE module_id = :m""",
    """INSERT INTO concierge_order_line (order_id, item_id, provider_id, label, quantity, unit_price_cents, territory_id)
    SELECT id, :item, :provider, 'Chemise', total_cents / 350, 350, :t FROM concierge_order WHERE territory_id = :t""",
    f"""{_SQLITE_SERIES.replace(':n - 1', '199')}
    INSERT INTO notification (user_id, message, params, link, read_at, created_at, territory_id)
    SELECT :me, 'Your request %(ref)s was received.', '{{"ref": "#1"}}', '', CASE WHEN i < 150 THEN :now END,
           :now, :t FROM seq""",
    f"""{_SQLITE_SERIES.replace(':n - 1', 'max(:n / 100, 10) - 1')}
    INSERT INTO audit_entry (actor_id, action, target, details, at, territory_id)
    SELECT :operator, 'module.configured', 'concierge', '{{}}', {_SQLITE_TS.format(base=':start', seconds='i * 6000')},
           :t FROM seq""",
]

_PG_SERIES = "generate_series(0, :n - 1) AS i"
_PG_TS = "CAST(:start AS timestamp) + make_interval(secs => i * :step)"
_POSTGRESQL = [
    """INSERT INTO "user" (email, name, password_hash, is_platform_admin, created_at)
    SELECT 'employee' || i || '.' || :t || '@volume.bench', 'Employee ' || i, '!', false, :now
    FROM generate_series(0, :employees - 1) AS i""",
    """INSERT INTO membership (user_id, role, status, organization_id, module_id, created_at, territory_id)
    SELECT id, 'employee', 'active', :first_company + (id % :companies), NULL, :now, :t
    FROM "user" WHERE email LIKE '%.' || :t || '@volume.bench'""",
    f"""INSERT INTO service_request (module_id, requester_id, organization_id, status, payload, created_at, updated_at,
                                     territory_id)
    SELECT :m, {_REQUESTER}, :first_company + (i % :companies), {_STATUS},
           CAST('{{"items": [{{"item_id": 1, "quantity": 1}}]}}' AS jsonb), {_PG_TS}, {_PG_TS}, :t
    FROM {_PG_SERIES}""",
    """INSERT INTO status_change (request_id, from_status, to_status, actor_id, comment, at, territory_id)
    SELECT id, 'in_progress', CASE WHEN status IN ('delivered', 'ready') THEN 'ready' ELSE status END, :operator, '',
           created_at + make_interval(hours => 2 + id % 48), :t
    FROM service_request WHERE module_id = :m""",
    """INSERT INTO concierge_order (request_id, requester_id, slot_id, dropoff_date, notes, total_cents, territory_id)
    SELECT id, requester_id, :slot, CAST(created_at AS date) + 3, '', 350 * (1 + id % 5), :t
    FROM service_request WHERE module_id = :m""",
    """INSERT INTO concierge_order_line (order_id, item_id, provider_id, label, quantity, unit_price_cents, territory_id)
    SELECT id, :item, :provider, 'Chemise', total_cents / 350, 350, :t FROM concierge_order WHERE territory_id = :t""",
    """INSERT INTO notification (user_id, message, params, link, read_at, created_at, territory_id)
    SELECT :me, 'Your request %(ref)s was received.', CAST('{"ref": "#1"}' AS jsonb), '',
           CASE WHEN i < 150 THEN CAST(:now AS timestamp) END, :now, :t FROM generate_series(0, 199) AS i""",
    """INSERT INTO audit_entry (actor_id, action, target, details, at, territory_id)
    SELECT :operator, 'module.configured', 'concierge', CAST('{}' AS jsonb),
           CAST(:start AS timestamp) + make_interval(secs => i * 6000), :t
    FROM generate_series(0, greatest(:n / 100, 10) - 1) AS i""",
]
