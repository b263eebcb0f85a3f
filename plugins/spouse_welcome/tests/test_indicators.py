"""Indicators against hand-counted cases."""
from datetime import datetime, timedelta

from coopserv_plugins.spouse_welcome import indicators
from coopserv_plugins.spouse_welcome.models import Case, FollowUp, Introduction

from coopserv.plugin_api import ServiceRequest, db, plugin_host, territory_scope

JAN = datetime(2026, 1, 10, 9, 0)


def _backdate(territory, case_id, opened_at, intros=(), follow_up=None):
    """Place a case's opening at ``opened_at`` and add introductions (days after, outcome)."""
    with territory_scope(territory):
        case = db.session.get(Case, case_id)
        db.session.get(ServiceRequest, case.request_id).created_at = opened_at
        for organization, days, outcome in intros:
            db.session.add(Introduction(case_id=case.id, organization_id=organization.id, outcome=outcome,
                                        sent_at=opened_at + timedelta(days=days)))
        if follow_up is not None:
            db.session.add(FollowUp(case_id=case.id, still_in_territory=follow_up))
        db.session.commit()


def test_indicators_match_hand_counts(figeac, open_case):
    a = open_case()
    b = open_case(user=figeac.colleague)
    c = open_case(user=figeac.ratier_employee)
    d = open_case(user=figeac.employee, partner_first_name="Hors période")
    # a: first introduction after 4 days (then 10), hired; still here after a year.
    _backdate(figeac.territory, a.id, JAN, [(figeac.menuiserie, 10, "declined"), (figeac.ratier, 4, "hired")], True)
    # b: first introduction after 10 days, interview only; has left.
    _backdate(figeac.territory, b.id, JAN + timedelta(days=5), [(figeac.grand_figeac, 10, "interview")], False)
    # c: first introduction after 20 days, hired twice (counts once); still here.
    _backdate(figeac.territory, c.id, JAN + timedelta(days=20),
              [(figeac.aero, 20, "hired"), (figeac.menuiserie, 25, "hired")], True)
    # d: opened outside the period, hired: never counted.
    _backdate(figeac.territory, d.id, datetime(2025, 6, 1), [(figeac.aero, 1, "hired")], True)

    start, end = datetime(2026, 1, 1), datetime(2026, 4, 1)
    with territory_scope(figeac.territory):
        assert indicators.cases_opened(figeac.module, start, end) == 3
        assert indicators.median_days_to_first_introduction(figeac.module, start, end) == 10.0
        assert indicators.partners_hired(figeac.module, start, end) == 2
        assert indicators.families_still_here(figeac.module, start, end) == 2
        empty = (datetime(2027, 1, 1), datetime(2027, 2, 1))
        assert indicators.cases_opened(figeac.module, *empty) == 0
        assert indicators.median_days_to_first_introduction(figeac.module, *empty) is None
    # e: first introduction after 7 days: four cases, the median is halfway between 7 and 10.
    e = open_case(user=figeac.colleague, partner_first_name="Quatrième")
    _backdate(figeac.territory, e.id, JAN + timedelta(days=30), [(figeac.aero, 7, "interview")])
    with territory_scope(figeac.territory):
        assert indicators.median_days_to_first_introduction(figeac.module, start, end) == 8.5
        query = indicators.median_days_to_first_introduction_query(figeac.module, start, end)
        assert query.names_territory and query.value() == 8.5
        assert indicators.median_days_to_first_introduction_query(figeac.module, *empty).value() is None


def test_indicators_are_registered(app):
    keys = set(plugin_host().indicators)
    assert {"spouse_welcome.cases_opened", "spouse_welcome.median_days_to_first_introduction",
            "spouse_welcome.partners_hired", "spouse_welcome.families_still_here"} <= keys
