"""Demo data for Autun Morvan's smart-parking pilot with Nexans Autun: a car park, its sensors, a morning of traffic."""
from datetime import datetime, time, timedelta


from coopserv.plugin_api import db, employer_of, local_today, submit_request, to_local, utcnow

from . import services
from .models import Lot, Spot
from .simulator import simulate

#: (prefix, count, category) of the spots of the Saint-Andoche car park: 40 spots.
NEXANS_SPOTS = [("A-", 30, "standard"), ("E-", 4, "electric_charging"), ("H-", 2, "disabled"), ("C-", 4, "carpool")]


def seed(module, organizations, users):
    """Add Nexans' staff car park (40 spots, one sensor each), a visitors' car park and a simulated morning."""
    module.config = dict(module.config or {}, publish_open_data=True)  # the open-data page links its feeds
    lot = services.create_lot({
        "name": "Parking Nexans Saint-Andoche", "address": "Rue de Saint-Andoche, 71400 Autun",
        "business_park": "ZI de Saint-Andoche", "latitude": 46.9563, "longitude": 4.2941,
        "category": "forEmployees", "allow_reservations": True, "carpool_priority": True,
    })
    for prefix, count, category in NEXANS_SPOTS:
        services.create_spot_range(lot, {"prefix": prefix, "first_number": 1, "count": count, "category": category,
                                         "one_sensor_per_spot": True})
    visitors = services.create_lot({
        "name": "Parking visiteurs Nexans", "address": "Rue de Saint-Andoche, 71400 Autun",
        "business_park": "ZI de Saint-Andoche", "latitude": 46.9558, "longitude": 4.2950,
        "category": "forVisitors", "allow_reservations": False, "carpool_priority": False,
    })
    db.session.add_all([Spot(lot_id=visitors.id, ref=f"V-{n:02d}", status="free") for n in range(1, 9)])
    db.session.commit()

    lot = db.session.get(Lot, lot.id)
    # Hourly batches: the same readings as 15-minute ones, in a quarter of the transactions (the demo starts faster).
    simulate(lot, events=40 * 36, batch_size=200, seed=71400, heartbeat_minutes=10,
             last_day=_last_full_morning(), hours=(6, 12), days=1, window_minutes=60)

    employee = users.get("employee")
    organization = employer_of(employee) if employee else None
    if organization is None:
        return
    tomorrow = local_today() + timedelta(days=1)
    submit_request(module, employee, organization, {
        "lot_id": lot.id, "category": "standard",
        "starts_at": datetime.combine(tomorrow, time(8, 0)).isoformat(timespec="minutes"),
        "ends_at": datetime.combine(tomorrow, time(17, 30)).isoformat(timespec="minutes"),
    })


def _last_full_morning():
    """The most recent day whose morning (until noon, local time) is over."""
    local_now = to_local(utcnow())
    return local_now.date() if local_now.hour >= 12 else local_now.date() - timedelta(days=1)
