"""Benchmark the busiest portal pages on a territory with a lot of data; prints time and queries per page.

Run from the project root:
    .venv/bin/python tests/bench/portal_pages.py                       # SQLite, temporary file
    COOPSERV_DATABASE_URL=postgresql+psycopg://user:pw@host/scratch .venv/bin/python tests/bench/portal_pages.py
(options: --requests N --repeat N). It migrates the database it is given and adds a throwaway
territory: point it at a scratch database. Pages are served in-process by the Flask test client,
so the figures are the app's own cost (templates, queries), without a network or a WSGI server.
The query count must stay the same whatever --requests is: that is the N+1 check.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


from coopserv import create_app  # noqa: E402
from coopserv.extensions import db  # noqa: E402
from coopserv.testing import CoopservClient  # noqa: E402
from tests.bench.timing import measure  # noqa: E402


def build(url, request_count):
    from flask_migrate import upgrade

    from coopserv.accounts.models import Membership
    from coopserv.accounts.services import create_user
    from coopserv.modules.services import enable_module
    from coopserv.organizations.models import Organization
    from coopserv.service_requests.models import ServiceRequest, StatusChange
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import create_territory
    from coopserv.timeutil import utcnow
    from coopserv_plugins.concierge.models import CatalogItem, PickupPoint, PickupSlot, Provider

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.test_client_class = CoopservClient
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        slug = f"bench-{int(time.time())}"
        territory = create_territory({"slug": slug, "name": "Bench"})
        with territory_scope(territory):
            company = Organization(name="Big Company", employee_count=5000)
            db.session.add(company)
            db.session.flush()
            module = enable_module("concierge", stage="perennial")
            people = {}
            for role in ("employee", "service_operator", "territory_admin"):
                user = create_user(role, f"{role}@{slug}.bench", "bench-password-1")
                db.session.add(Membership(user_id=user.id, role=role, organization_id=company.id,
                                          module_id=module.id if role == "service_operator" else None))
                people[role] = user
            provider = Provider(name="Pressing")
            db.session.add_all([provider, CatalogItem(provider=provider, name="Chemise", price_cents=350),
                                PickupSlot(pickup_point=PickupPoint(name="ZA"), weekday=1, starts_at=clock(11),
                                           ends_at=clock(14))])
            now = utcnow()
            for index in range(request_count):
                request = ServiceRequest(module_id=module.id, requester_id=people["employee"].id,
                                         organization_id=company.id, status="submitted",
                                         payload={"items": [{"item_id": 1, "quantity": 1}],
                                                  "dropoff_date": (now + timedelta(days=3)).date().isoformat()},
                                         created_at=now - timedelta(minutes=index))
                request.history.append(StatusChange(from_status=None, to_status="submitted",
                                                    actor_id=people["employee"].id))
                db.session.add(request)
            db.session.commit()
            # Keep what outlives the session: the sign-in addresses.
            people = {role: SimpleNamespace(email=user.email) for role, user in people.items()}
    return app, slug, people


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = os.environ.get("COOPSERV_DATABASE_URL") or "sqlite:///" + os.path.join(folder, "bench.sqlite")
    started = time.perf_counter()
    app, slug, people = build(url, args.requests)
    print(f"database: {url.split('@')[-1]}  requests in the territory: {args.requests:,} "
          f"(built in {time.perf_counter() - started:.1f}s)")
    pages = {
        "employee": [f"/t/{slug}/", f"/t/{slug}/requests", f"/t/{slug}/services/concierge", f"/t/{slug}/notifications"],
        "service_operator": [f"/t/{slug}/operator/concierge", f"/t/{slug}/operator/concierge?status=submitted&page=3"],
        "territory_admin": [f"/t/{slug}/admin/", f"/t/{slug}/admin/members", f"/t/{slug}/admin/modules/concierge",
                            f"/t/{slug}/indicators/"],
    }
    print(f"{'page':<55} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for role, paths in pages.items():
        client = app.test_client()
        client.login(people[role], password="bench-password-1")
        for path in paths:
            median, p95, queries = measure(app, client, path, args.repeat)
            print(f"{path:<55} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
