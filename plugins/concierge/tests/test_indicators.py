"""Concierge indicators, checked against values counted by hand."""
from datetime import datetime, timedelta

from coopserv.plugin_api import ServiceRequest, StatusChange, db
from coopserv_plugins.concierge import indicators
from coopserv_plugins.concierge.models import Order

NOVEMBER = datetime(2026, 11, 1)
DECEMBER = datetime(2026, 12, 1)


def _order(figeac, requester, created, status, total_cents, ready_after_hours=None):
    request = ServiceRequest(module_id=figeac.module.id, requester_id=requester.id, organization_id=figeac.aero.id,
                             status=status, payload={}, created_at=created)
    db.session.add(request)
    db.session.flush()
    db.session.add(Order(request_id=request.id, requester_id=requester.id, dropoff_date=created.date(),
                         total_cents=total_cents))
    if ready_after_hours is not None:
        db.session.add(StatusChange(request_id=request.id, from_status="in_progress", to_status="ready",
                                    at=created + timedelta(hours=ready_after_hours)))
    return request


def test_indicators_match_hand_counts(figeac, scoped):
    with scoped(figeac.territory):
        # November: three orders by two people; two delivered (10.50 € + 4.00 €), ready after 10 h, 20 h, 30 h.
        _order(figeac, figeac.employee, NOVEMBER + timedelta(days=2), "delivered", 1050, ready_after_hours=10)
        _order(figeac, figeac.employee, NOVEMBER + timedelta(days=5), "delivered", 400, ready_after_hours=30)
        _order(figeac, figeac.colleague, NOVEMBER + timedelta(days=9), "ready", 9900, ready_after_hours=20)
        # One in October and one cancelled in December: outside the period.
        _order(figeac, figeac.colleague, NOVEMBER - timedelta(days=3), "delivered", 5000, ready_after_hours=1)
        _order(figeac, figeac.referent, DECEMBER + timedelta(days=1), "cancelled", 700)
        db.session.commit()

        module = figeac.module
        assert indicators.orders(module, NOVEMBER, DECEMBER) == 3
        assert indicators.active_users(module, NOVEMBER, DECEMBER) == 2
        assert indicators.provider_turnover(module, NOVEMBER, DECEMBER) == 14.50
        assert indicators.median_hours_to_ready(module, NOVEMBER, DECEMBER) == 20.0
        # An even count takes the mean of the two middle values: (1 + 10) / 2 over Oct 29 - Nov 4.
        assert indicators.median_hours_to_ready(module, NOVEMBER - timedelta(days=3), NOVEMBER + timedelta(days=4)) == 5.5
        assert indicators.median_hours_to_ready(module, DECEMBER, DECEMBER + timedelta(days=30)) is None


def test_indicators_ignore_other_territories(figeac, autun, scoped):
    with scoped(autun.territory):
        request = ServiceRequest(module_id=autun.module.id, requester_id=autun.employee.id, status="delivered",
                                 payload={}, created_at=NOVEMBER + timedelta(days=1))
        db.session.add(request)
        db.session.commit()
        assert indicators.orders(autun.module, NOVEMBER, DECEMBER) == 1
    with scoped(figeac.territory):
        # Even asked about Autun's module, a query in Figeac's scope sees none of Autun's rows.
        assert indicators.orders(autun.module, NOVEMBER, DECEMBER) == 0
