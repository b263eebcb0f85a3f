"""Benchmark carpool matching: 10,000 offers and 10,000 requests in one territory.

Run from the project root:  .venv/bin/python tests/bench/mobility_matching.py
(options: --offers N --requests N --parks N --seed N --detour KM --gap MIN --repeat N; --through-app also
stores the data set in a temporary SQLite database through the app and times the operator's
"run matching now", which loads the commutes, matches them and stores the proposals).
It builds a realistic rural territory in memory (business parks around Tarare, homes up to
30 km away, departures between 6:00 and 9:30, mostly weekday patterns), runs the same pure
matching function the pages use and prints its figures. Not a timed test: the target is all
proposals in under 2 seconds on a 2-core machine.
"""
import argparse
import os
import random
import time

from coopserv_plugins.mobility.matching import (
    Commute,
    Limits,
    haversine_km,
    match_commutes,
)

#: Approximate centre of the Ouest Rhodanien business parks (Tarare).
CENTRE = (45.896, 4.433)
WEEK_PATTERNS = [0b0011111] * 6 + [0b0001111, 0b0011110, 0b0010101, 0b0001010, 0b0011011]


def random_point(rng, centre, radius_km):
    """A point at most ``radius_km`` from ``centre``, uniformly spread over the disc."""
    while True:
        lat = centre[0] + rng.uniform(-1, 1) * radius_km / 111.2
        lon = centre[1] + rng.uniform(-1, 1) * radius_km / 78.0
        if haversine_km(lat, lon, *centre) <= radius_km:
            return lat, lon


def build(rng, count, parks, seats_range, first_id, user_offset):
    commutes = []
    for number in range(count):
        park_id = rng.randrange(len(parks))
        lat, lon = random_point(rng, parks[park_id], 30)
        departure = 6 * 60 + 5 * rng.randrange(43)
        commutes.append(Commute(first_id + number, park_id, lat, lon, rng.choice(WEEK_PATTERNS), departure,
                                departure + 8 * 60 + 15 * rng.randrange(7), rng.randint(*seats_range),
                                user_offset + number))
    return commutes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--parks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--detour", type=float, default=5.0, help="maximum detour in km")
    parser.add_argument("--gap", type=int, default=20, help="maximum time difference in minutes")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the matching; the best is reported")
    parser.add_argument("--through-app", action="store_true", help="also time the app's matching on SQLite")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    parks = {number: random_point(rng, CENTRE, 12) for number in range(args.parks)}
    offers = build(rng, args.offers, parks, (1, 4), 1, 0)
    requests = build(rng, args.requests, parks, (1, 2), 1, 1_000_000)
    limits = Limits(max_detour_km=args.detour, max_time_difference=args.gap)

    runs = []
    for _run in range(max(1, args.repeat)):
        started, cpu_started = time.perf_counter(), time.process_time()
        proposals = match_commutes(offers, requests, parks, limits)
        runs.append((time.perf_counter() - started, time.process_time() - cpu_started))
    elapsed, cpu = min(runs)

    kept = sum(len(matches) for matches in proposals.values())
    print(f"business parks:          {args.parks}")
    print(f"offers:                  {len(offers)}")
    print(f"requests:                {len(requests)}")
    print(f"limits:                  detour <= {limits.max_detour_km} km, time gap <= {limits.max_time_difference} min, "
          f"best {limits.max_proposals_per_request} per request")
    print(f"requests with a match:   {len(proposals)} ({100 * len(proposals) / max(1, len(requests)):.1f} %)")
    print(f"proposals kept:          {kept}")
    print(f"matching time:           {elapsed:.3f} s wall clock, {cpu:.3f} s CPU (best of {len(runs)}; "
          f"all: {', '.join(f'{wall:.2f}' for wall, _cpu in runs)} s; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)")
    print(f"proposals per second:    {kept / elapsed:,.0f}")
    print(f"requests per second:     {len(requests) / elapsed:,.0f}")
    print("target (< 2 s):          " + ("met" if elapsed < 2 else "NOT met"))
    if args.through_app:
        through_app(parks, offers, requests, limits)


def through_app(parks, offers, requests, limits):
    """Store the commutes in a temporary SQLite database and time the app's full matching run."""
    import tempfile
    from datetime import time as clock

    from coopserv_plugins.mobility import services
    from coopserv_plugins.mobility.models import BusinessPark, Commute

    from coopserv import create_app
    from coopserv.extensions import db
    from coopserv.modules.services import enable_module
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import create_territory

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.app_context():
            db.create_all()
            territory = create_territory({"slug": "bench", "name": "Bench"})
            with territory_scope(territory):
                module = enable_module("mobility", stage="perennial", config={
                    "max_detour_km": limits.max_detour_km, "max_time_difference_minutes": limits.max_time_difference})
                ids = {}
                for number, (lat, lon) in parks.items():
                    park = BusinessPark(name=f"ZA {number}", latitude=lat, longitude=lon)
                    db.session.add(park)
                    db.session.flush()
                    ids[number] = park.id
                started = time.perf_counter()
                rows = [
                    {"kind": kind, "business_park_id": ids[c.park_id], "town_name": "Commune",
                     "home_latitude": c.latitude, "home_longitude": c.longitude, "weekdays": c.weekdays,
                     "departure_time": clock(c.departure // 60, c.departure % 60),
                     "return_time": clock(c.return_ // 60, c.return_ % 60), "seats": c.seats,
                     "territory_id": territory.id, "active": True}
                    for kind, commutes in (("offer", offers), ("request", requests)) for c in commutes
                ]
                db.session.execute(Commute.__table__.insert(), rows)
                db.session.commit()
                stored = time.perf_counter() - started
                started = time.perf_counter()
                found, created = services.refresh_proposals(module)
                elapsed = time.perf_counter() - started
        print(f"through the app (SQLite): {len(rows)} commutes stored in {stored:.2f} s; load + match + store "
              f"{created} proposals in {elapsed:.2f} s ({found} found)")


if __name__ == "__main__":
    main()
