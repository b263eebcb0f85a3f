"""Benchmark the smart-parking indicator pages on the demo data: two comparisons and Autun's dashboard, cold cache.

Run from the project root:
    .venv/bin/python tests/bench/parking_indicators.py                      # SQLite, temporary file
    COOPSERV_DATABASE_URL=postgresql+psycopg://user:pw@host/scratch_db .venv/bin/python tests/bench/parking_indicators.py
(options: --repeat N, --raw to time the computation from the raw history instead of the occupancy rollup).
It builds the demo (`coopserv demo`'s data) in a schema of its own (PostgreSQL) or a temporary
file, signs in as Autun Morvan's territory admin and times each page served in process by the
Flask test client, after forgetting the cached indicator values before every request (cold cache).
Prints median and maximum ms and the statements per page.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from sqlalchemy import delete, event, select  # noqa: E402

from coopserv import create_app  # noqa: E402
from coopserv.extensions import db  # noqa: E402
from coopserv.testing import CoopservClient  # noqa: E402
from tests.bench.scale import scratch_database  # noqa: E402

SLUG = "autun-morvan"
PAGES = [
    ("mean occupancy, compared (12 months)", f"/t/{SLUG}/indicators/smart_parking.mean_occupancy/compare"),
    ("busiest hour occupancy, compared (12 months)", f"/t/{SLUG}/indicators/smart_parking.peak_hour_occupancy/compare"),
    ("Autun's indicators dashboard (12 months)", f"/t/{SLUG}/indicators/"),
]


def build(url):
    from flask_migrate import upgrade

    from coopserv.demo import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.test_client_class = CoopservClient
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        seed_demo()
        db.session.commit()
    return app


def autun_admin(app):
    from coopserv.accounts.models import Membership, User
    from coopserv.indicators.services import set_sharing
    from coopserv.tenancy import ALL_TERRITORIES, territory_scope
    from coopserv.territories.models import Territory

    with app.app_context():
        territory = db.session.scalar(select(Territory).filter_by(slug=SLUG))
        user = db.session.scalar(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.territory_id == territory.id, Membership.role == "territory_admin")
            .order_by(User.id).execution_options(**{ALL_TERRITORIES: True}))
        email = user.email
        with territory_scope(territory):
            for key in ("smart_parking.mean_occupancy", "smart_parking.peak_hour_occupancy"):
                set_sharing(key, True, False)
        return SimpleNamespace(email=email)


def use_raw_history():
    """Make the indicators compute from the raw history (the figures before the rollup)."""
    from coopserv_plugins.smart_parking import occupancy

    occupancy.covers = lambda start, end, now: False


def measure(app, client, path, repeat):
    from coopserv.indicators.models import IndicatorCache
    from coopserv.tenancy import ALL_TERRITORIES

    statements = []
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    times = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            with app.app_context():
                db.session.execute(delete(IndicatorCache).execution_options(**{ALL_TERRITORIES: True}))
                db.session.commit()
            counter["n"] = 0
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            statements.append(counter["n"])
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), max(times), max(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--raw", action="store_true", help="compute from the raw history (before the rollup)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    base = os.environ.get("COOPSERV_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="coopserv-parking-indicators-") as folder, \
            scratch_database(base, "parking", folder, args.keep) as url:
        app = build(url)
        if args.raw:
            use_raw_history()
        user = autun_admin(app)
        client = app.test_client()
        from coopserv.demo import DEMO_PASSWORD

        client.login(user, DEMO_PASSWORD)
        source = "raw history" if args.raw else "occupancy rollup"
        print(f"Database: {url.split(':', 1)[0]}; demo data; {source}; cold indicator cache; "
              f"load average {os.getloadavg()[0]:.1f}")
        for label, path in PAGES:
            median, worst, statements = measure(app, client, path, args.repeat)
            print(f"  {label:<48} p50 {median:8.1f} ms   max {worst:8.1f} ms   {statements:3d} statements")


if __name__ == "__main__":
    main()
