"""Rollups kept by increments equal a rebuild from scratch, whatever happened to the requests."""
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from coopserv.extensions import db
from coopserv.indicators.services import month_start, next_month
from coopserv.privacy.services import erase_person
from coopserv.rollups.models import RequestFact, RequestRollup
from coopserv.rollups.services import monthly_values, rebuild
from coopserv.service_requests.models import ServiceRequest
from coopserv.service_requests.services import IllegalTransition, apply_transition, submit_request
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import utcnow
from tests.helpers import order_payload

TRANSITIONS = ("accept", "start", "mark_ready", "deliver", "reject")
SUBMIT = st.tuples(st.just("submit"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 4))
MOVE = st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(TRANSITIONS))
CANCEL = st.tuples(st.just("cancel"), st.integers(0, 30))
ERASE = st.tuples(st.just("erase"), st.integers(0, 3))
OPERATIONS = st.lists(st.one_of(SUBMIT, SUBMIT, MOVE, MOVE, MOVE, CANCEL, ERASE), min_size=1, max_size=25)


def _state():
    """Facts and cells as comparable values (ids and timestamps left out)."""
    options = {ALL_TERRITORIES: True}
    facts = {(f.rollup_key, f.request_id): (f.module_id, f.organization_id, f.month, f.status, f.requester_id,
                                           round(f.value, 6))
             for f in db.session.scalars(select(RequestFact).execution_options(**options))}
    cells = {(c.rollup_key, c.module_id, c.organization_id, c.month, c.status):
             (c.count, round(c.total, 6), None if c.value is None else round(c.value, 6))
             for c in db.session.scalars(select(RequestRollup).execution_options(**options))}
    return facts, cells


def _people(figeac, make_user):
    """Four requesters of two companies (fresh each time: erasure deletes accounts)."""
    return [(make_user(figeac.territory, role, organization), organization)
            for role, organization in (("employee", figeac.aero), ("employee", figeac.menuiserie),
                                       ("employee", figeac.aero), ("company_referent", figeac.aero))]


def _months_ago(count):
    moment = utcnow()
    for _ in range(count):
        moment = datetime(moment.year, moment.month, 1) - timedelta(days=1)
    return moment.replace(day=min(moment.day, 27), hour=9)


def _play(figeac, catalogue, people, operations):
    requests = []
    for operation in operations:
        kind = operation[0]
        if kind == "submit":
            _kind, who, months_ago, quantity = operation
            user, organization = people[who]
            if user is None:
                continue
            request = submit_request(figeac.module, user, organization, order_payload(catalogue, quantity))
            request.created_at = _months_ago(months_ago)
            db.session.commit()
            requests.append(request.id)
        elif kind in ("move", "cancel") and requests:
            request = db.session.get(ServiceRequest, requests[operation[1] % len(requests)])
            try:
                if kind == "move":
                    apply_transition(request, operation[2], figeac.operator, may_operate=True)
                elif request.requester is not None:
                    apply_transition(request, "cancel", request.requester, may_operate=False)
            except IllegalTransition:
                db.session.rollback()
        elif kind == "erase":
            user, _organization = people[operation[1]]
            if user is not None:
                erase_person(user)
                people[operation[1]] = (None, None)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_incremental_rollups_equal_a_rebuild(app, figeac, catalogue, make_user, operations):
    with territory_scope(figeac.territory):
        # Each example starts from no request; deleting them is itself kept in the rollups.
        db.session.execute(delete(ServiceRequest))
        db.session.commit()
        assert _state() == ({}, {})
        _play(figeac, catalogue, _people(figeac, make_user), operations)
        incremental = _state()
        rebuild()
        db.session.commit()
        assert _state() == incremental


def test_rollups_read_the_same_values_as_the_live_indicators(app, figeac, catalogue, make_user):
    """The concierge's declared rollups and its compute functions agree, month by month."""
    operations = [("submit", 0, 0, 2), ("submit", 1, 0, 1), ("submit", 2, 1, 3), ("submit", 0, 1, 1),
                  ("move", 0, "accept"), ("move", 0, "start"), ("move", 0, "mark_ready"), ("move", 0, "deliver"),
                  ("move", 2, "accept"), ("move", 2, "start"), ("move", 2, "mark_ready"), ("move", 1, "reject"),
                  ("cancel", 3), ("erase", 2)]
    with territory_scope(figeac.territory):
        _play(figeac, catalogue, _people(figeac, make_user), operations)
        host = app.extensions["coopserv"]
        indicators = [indicator for indicator in host.indicators.values() if indicator.service_key == "concierge"]
        assert {indicator.key for indicator in indicators if indicator.rollup} == {
            "concierge.orders", "concierge.active_users", "concierge.provider_turnover",
            "concierge.median_hours_to_ready"}
        months = [month_start(_months_ago(1).date()), month_start(utcnow().date())]
        stored = monthly_values([(indicator.key, figeac.module) for indicator in indicators], months)
        for indicator in indicators:
            for month in months:
                live = indicator.compute(figeac.module, datetime(month.year, month.month, 1),
                                         datetime(next_month(month).year, next_month(month).month, 1))
                assert stored[(indicator.key, month)] == live, (indicator.key, month)
        assert stored[("concierge.orders", months[1])] == 2
        assert stored[("concierge.active_users", months[0])] == 1  # the second requester of that month was erased
        assert stored[("concierge.provider_turnover", months[1])] == 7.0  # 2 shirts at 3.50 €, delivered
