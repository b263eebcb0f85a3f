"""Childminder house indicators, checked against values counted by hand."""
from datetime import datetime

from coopserv_plugins.childminder_house import indicators
from coopserv_plugins.childminder_house.models import (
    Placement,
    PlacementSlot,
    Sponsorship,
)

from coopserv.plugin_api import ServiceRequest, db

from .conftest import add_house

NOVEMBER = datetime(2025, 11, 1)
DECEMBER = datetime(2025, 12, 1)


def _placement(tarare, house, requester, status, requested, allocated=None, ended=None, slots=()):
    request = ServiceRequest(module_id=tarare.module.id, requester_id=requester.id, organization_id=tarare.textiles.id,
                             status=status, payload={}, created_at=requested)
    db.session.add(request)
    db.session.flush()
    placement = Placement(request_id=request.id, house_id=house.id, requester_id=requester.id, child_first_name="X",
                          child_age_months=12, start_date=(allocated or requested).date(), requested_at=requested,
                          allocated_at=allocated, ended_at=ended)
    placement.slots = [PlacementSlot(weekday=d, starts_at=s, ends_at=e) for d, s, e in slots]
    db.session.add(placement)


def test_indicators_match_hand_counts(tarare, scoped):
    # Capacity: 4 children x 600 min x 5 days + 2 x 180 min x 2 days = 12,720 child-minutes a week.
    house = add_house(tarare.territory, childminders=((4, "01234", 8 * 60, 18 * 60), (2, "01", 9 * 60, 12 * 60)),
                      sponsors=((tarare.textiles, 4), (tarare.plasturgie, 2)))
    other = add_house(tarare.territory, childminders=(), sponsors=((tarare.textiles, 1),))
    with scoped(tarare.territory):
        week = [(d, 8 * 60, 17 * 60) for d in range(5)]  # 2,700 min
        _placement(tarare, house, tarare.parent, "allocated", datetime(2025, 10, 20), datetime(2025, 11, 3),
                   slots=week)
        _placement(tarare, house, tarare.parent2, "allocated", datetime(2025, 11, 1), datetime(2025, 11, 5),
                   slots=[(0, 540, 720), (1, 540, 720)])  # 360 min
        # Allocated after 10 days, gone before the end of November: counts for waiting, not for occupancy.
        _placement(tarare, house, tarare.parent3, "left", datetime(2025, 11, 2), datetime(2025, 11, 12),
                   ended=datetime(2025, 11, 25), slots=[(2, 480, 1080)])
        # Allocated in September (waiting outside the period) and still there: 240 min of occupancy.
        _placement(tarare, house, tarare.parent4, "allocated", datetime(2025, 9, 1), datetime(2025, 9, 5),
                   slots=[(3, 480, 720)])
        # Still waiting: counts for nothing.
        _placement(tarare, house, tarare.parent4, "waiting", datetime(2025, 11, 20), slots=week)
        db.session.commit()

        module = tarare.module
        assert indicators.median_waiting_days(module, NOVEMBER, DECEMBER) == 10.0
        assert indicators.occupancy_rate(module, NOVEMBER, DECEMBER) == round(100 * 3300 / 12720, 1) == 25.9
        # (4 + 2 + 1) places over two companies.
        assert indicators.places_per_sponsor(module, NOVEMBER, DECEMBER) == 3.5
        assert indicators.median_waiting_days(module, DECEMBER, datetime(2026, 1, 1)) is None
        # At the end of October only the September child was there.
        assert indicators.occupancy_rate(module, datetime(2025, 10, 1), NOVEMBER) == round(100 * 240 / 12720, 1)
        db.session.delete(db.session.get(Sponsorship, other.sponsorships[0].id))
        db.session.commit()
        assert indicators.places_per_sponsor(module, NOVEMBER, DECEMBER) == 3.0


def test_indicators_ignore_other_territories(tarare, autun, scoped):
    add_house(autun.territory, childminders=((4, "01234", 8 * 60, 18 * 60),), sponsors=((autun.company, 6),))
    with scoped(tarare.territory):
        assert indicators.places_per_sponsor(tarare.module, NOVEMBER, DECEMBER) is None
        assert indicators.occupancy_rate(tarare.module, NOVEMBER, DECEMBER) is None
    with scoped(autun.territory):
        assert indicators.places_per_sponsor(autun.module, NOVEMBER, DECEMBER) == 6.0
        assert indicators.occupancy_rate(autun.module, NOVEMBER, DECEMBER) == 0.0
