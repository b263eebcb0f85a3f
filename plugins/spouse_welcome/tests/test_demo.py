"""The demo seed gives Figeac two realistic cases and hiring needs."""
from datetime import timedelta

from coopserv_plugins.spouse_welcome import indicators
from coopserv_plugins.spouse_welcome.models import (
    Case,
    FollowUp,
    HiringNeed,
    Introduction,
)
from sqlalchemy import func, select

from coopserv.plugin_api import Territory, db, get_module, territory_scope, utcnow
from coopserv.testing import seed_demo


def test_demo_seed_creates_figeac_cases(app):
    seed_demo()
    figeac = db.session.scalar(select(Territory).filter_by(slug="figeac"))
    with territory_scope(figeac):
        module = get_module("spouse_welcome")
        cases = db.session.scalars(select(Case).order_by(Case.id)).all()
        assert [case.partner_first_name for case in cases] == ["Élodie", "Thomas"]
        assert all(case.referent_id is not None and case.steps for case in cases)
        assert {case.request.status for case in cases} == {"settled", "in_progress"}
        assert cases[1].opened_by_id != cases[1].requester_id  # Thomas's case was opened by the HR referent
        assert db.session.scalar(select(func.count(HiringNeed.id))) == 4
        assert db.session.scalar(select(func.count(Introduction.id))) == 3
        assert db.session.scalar(select(func.count(FollowUp.id))) == 1
        history = (utcnow() - timedelta(days=800), utcnow() + timedelta(days=1))
        assert indicators.cases_opened(module, *history) == 2
        assert indicators.partners_hired(module, *history) == 1
        assert indicators.families_still_here(module, *history) == 1
        assert indicators.median_days_to_first_introduction(module, *history) is not None
