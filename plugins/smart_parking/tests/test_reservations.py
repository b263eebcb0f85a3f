"""Reservations: validation, no overlap even under concurrency, workflow, no-shows, carpool priority."""
import threading
from datetime import datetime, timedelta

from coopserv_plugins.smart_parking.models import Reservation
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, db, local_now, local_today, to_utc

from .conftest import build_lot, count

SUBMIT = "/t/autun-morvan/services/smart_parking/requests"


def window(days=1, start_hour=8, hours=9):
    """Form values of a window ``days`` from today (local time is UTC in tests)."""
    day = local_today() + timedelta(days=days)
    start = datetime(day.year, day.month, day.day, start_hour)
    return start.isoformat(timespec="minutes"), (start + timedelta(hours=hours)).isoformat(timespec="minutes")


def form(lot, **overrides):
    starts_at, ends_at = window()
    return {"lot_id": str(lot.lot_id), "starts_at": starts_at, "ends_at": ends_at, **overrides}


def reservations():
    return db.session.scalars(select(Reservation).execution_options(**{ALL_TERRITORIES: True})
                              .order_by(Reservation.id)).all()


def request_id_of(response):
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_an_employee_reserves_a_spot_and_sees_it(make_client, autun, lot):
    employee = make_client()
    employee.login(autun.employee)
    response = employee.post_form(SUBMIT, form(lot))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [reservation] = reservations()
    assert reservation.spot_id == lot.spots["S-01"] and reservation.user_id == autun.employee.id
    assert reservation.holding is True
    page = employee.get(f"/t/autun-morvan/requests/{request_id_of(response)}").get_data(as_text=True)
    assert "S-01" in page and "Parking Nexans Saint-Andoche" in page


def test_bad_reservations_get_field_errors_and_store_nothing(make_client, autun, lot, figeac):
    employee = make_client()
    employee.login(autun.employee)
    start, _ = window()
    end_before_start = employee.post_form(SUBMIT, form(lot, ends_at=(datetime.fromisoformat(start) - timedelta(hours=1))
                                                       .isoformat(timespec="minutes")))
    assert end_before_start.status_code == 422
    assert 'id="ends_at-error"' in end_before_start.get_data(as_text=True)
    past = employee.post_json(SUBMIT, form(lot, starts_at="2020-01-06T08:00", ends_at="2020-01-06T09:00"))
    assert past.status_code == 422 and "starts_at" in past.get_json()["errors"]
    too_long = employee.post_json(SUBMIT, form(lot, ends_at=(datetime.fromisoformat(start) + timedelta(hours=13))
                                               .isoformat(timespec="minutes")))
    assert too_long.status_code == 422 and "ends_at" in too_long.get_json()["errors"]
    garbage = employee.post_json(SUBMIT, {"lot_id": "x", "starts_at": "tomorrow", "category": "rocket"})
    assert garbage.status_code == 422
    assert set(garbage.get_json()["errors"]) == {"lot_id", "starts_at", "ends_at", "category"}
    no_reservations = build_lot(autun.territory, name="Parking visiteurs", allow_reservations=False)
    refused = employee.post_json(SUBMIT, form(no_reservations))
    assert refused.status_code == 422 and "lot_id" in refused.get_json()["errors"]
    foreign = build_lot(figeac.territory, name="Parking Figeac Aéro")
    assert employee.post_json(SUBMIT, form(foreign)).get_json()["errors"].keys() == {"lot_id"}
    wrong_spot = employee.post_json(SUBMIT, form(lot, spot_id=foreign.spots["S-01"]))
    assert wrong_spot.status_code == 422 and "spot_id" in wrong_spot.get_json()["errors"]
    assert count(ServiceRequest) == 0 and count(Reservation) == 0


def test_an_overlapping_reservation_is_refused_and_the_next_spot_is_given(make_client, autun, lot):
    first, second = make_client(), make_client()
    first.login(autun.employee)
    second.login(autun.colleague)
    assert first.post_json(SUBMIT, form(lot, spot_id=lot.spots["S-02"])).status_code == 201
    start, end = window(start_hour=12, hours=2)
    clash = second.post_json(SUBMIT, form(lot, spot_id=lot.spots["S-02"], starts_at=start, ends_at=end))
    assert clash.status_code == 422 and "spot_id" in clash.get_json()["errors"]
    assert count(ServiceRequest) == 1
    # Without a chosen spot, the colleague gets the first free one; the same person cannot hold two at once.
    assert second.post_json(SUBMIT, form(lot, starts_at=start, ends_at=end)).status_code == 201
    assert first.post_json(SUBMIT, form(lot, starts_at=start, ends_at=end)).get_json()["errors"].keys() == {"starts_at"}
    assert [r.spot_id for r in reservations()] == [lot.spots["S-02"], lot.spots["S-01"]]
    # Back to back is not an overlap.
    later_start, later_end = window(start_hour=17, hours=2)
    assert second.post_json(SUBMIT, form(lot, spot_id=lot.spots["S-02"], starts_at=later_start,
                                         ends_at=later_end)).status_code == 201


def test_a_full_lot_says_so_on_the_start_field(make_client, make_user, autun, scoped):
    small = build_lot(autun.territory, name="Petit parking", standard=1, carpool=0)
    first, second = make_client(), make_client()
    first.login(autun.employee)
    second.login(autun.colleague)
    assert first.post_json(SUBMIT, form(small)).status_code == 201
    full = second.post_json(SUBMIT, form(small))
    assert full.status_code == 422 and "starts_at" in full.get_json()["errors"]


def _reserve_at_once(make_client, users, payload):
    """Every user submits ``payload`` at the same moment, each from their own client; returns status codes."""
    clients = []
    for user in users:
        client = make_client()
        client.login(user)
        client.csrf_token()
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    codes = [None] * len(clients)

    def run(index):
        barrier.wait()
        codes[index] = clients[index].post_json(SUBMIT, payload).status_code

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def test_simultaneous_requests_for_one_spot_give_it_to_exactly_one_person(make_client, make_user, autun, lot):
    people = [make_user(autun.territory, "employee", autun.nexans) for _ in range(6)]
    codes = _reserve_at_once(make_client, people, form(lot, spot_id=lot.spots["S-03"]))
    assert sorted(codes) == [201] + [422] * 5, codes
    held = reservations()
    assert len(held) == 1 and held[0].spot_id == lot.spots["S-03"]
    assert count(ServiceRequest) == 1


def test_simultaneous_requests_without_a_spot_get_distinct_spots(make_client, make_user, autun, lot):
    people = [make_user(autun.territory, "employee", autun.nexans) for _ in range(5)]
    codes = _reserve_at_once(make_client, people, form(lot))
    # Four standard spots: four people get one each, the fifth is told the lot is full.
    assert sorted(codes) == [201] * 4 + [422], codes
    spots = [r.spot_id for r in reservations()]
    assert sorted(spots) == sorted(lot.spots[ref] for ref in ("S-01", "S-02", "S-03", "S-04"))


def test_workflow_check_in_cancel_and_an_illegal_move(make_client, autun, lot, scoped):
    employee, operator = make_client(), make_client()
    employee.login(autun.employee)
    operator.login(autun.operator)
    first = request_id_of(employee.post_form(SUBMIT, form(lot)))
    start, end = window(days=2)
    second = request_id_of(employee.post_form(SUBMIT, form(lot, starts_at=start, ends_at=end)))
    assert employee.post_json(f"/t/autun-morvan/requests/{first}/transition", {"transition": "check_in"}).status_code == 200
    # Honoured is final: neither the employee nor the operator can cancel or release it.
    assert employee.post_json(f"/t/autun-morvan/requests/{first}/transition", {"transition": "cancel"}).status_code == 409
    assert operator.post_json(f"/t/autun-morvan/requests/{first}/transition", {"transition": "release"}).status_code == 409
    # The employee may not release (operators only); cancelling frees the spot.
    assert employee.post_json(f"/t/autun-morvan/requests/{second}/transition", {"transition": "release"}).status_code == 409
    assert employee.post_json(f"/t/autun-morvan/requests/{second}/transition", {"transition": "cancel"}).status_code == 200
    held = {r.request_id: r for r in reservations()}
    assert held[first].holding and held[first].checked_in_at is not None
    assert not held[second].holding
    with scoped(autun.territory):
        assert db.session.get(ServiceRequest, second).status == "cancelled"


def _reservation_starting_now(make_client, user, lot, spot_ref):
    client = make_client()
    client.login(user)
    start = local_now().replace(second=0, microsecond=0, tzinfo=None)  # typed on Autun's clock
    response = client.post_json(SUBMIT, {"lot_id": lot.lot_id, "spot_id": lot.spots[spot_ref],
                                         "starts_at": start.isoformat(timespec="minutes"),
                                         "ends_at": (start + timedelta(hours=2)).isoformat(timespec="minutes")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], to_utc(start)


def test_no_shows_are_released_after_the_grace_period_and_arrivals_are_honoured(app, client, make_client, autun, lot,
                                                                                scoped):
    from coopserv_plugins.smart_parking import services

    no_show, start = _reservation_starting_now(make_client, autun.employee, lot, "S-01")
    came, _ = _reservation_starting_now(make_client, autun.colleague, lot, "S-02")
    arrival = start + timedelta(minutes=1)
    from .conftest import send
    send(client, "autun-morvan", lot.key, {"spot": "S-02", "status": "occupied",
                                           "observed_at": arrival.isoformat() + "Z", "event_id": "arrive"})
    with scoped(autun.territory):
        # Before the grace period (15 minutes by default) nothing moves.
        assert services.settle_due_reservations(start + timedelta(minutes=14), 15) == (0, 0)
        app.extensions["coopserv"].call_each("tick", territory=autun.territory, now=start + timedelta(minutes=16))
        db.session.expire_all()
        assert db.session.get(ServiceRequest, no_show).status == "released"
        assert db.session.get(ServiceRequest, came).status == "honoured"
        assert services.settle_due_reservations(start + timedelta(minutes=30), 15) == (0, 0)  # idempotent
    held = {r.request_id: r.holding for r in reservations()}
    assert held == {no_show: False, came: True}


def test_carpool_crews_get_the_kept_spots_and_others_do_not(make_client, autun, fake_mobility):
    priority = build_lot(autun.territory, name="Parking covoiturage", standard=1, carpool=1, carpool_priority=True)
    fake_mobility.crew_user_ids = {autun.employee.id}
    crew_member, solo, third = make_client(), make_client(), make_client()
    crew_member.login(autun.employee)
    solo.login(autun.colleague)
    third.login(autun.admin)
    assert solo.post_json(SUBMIT, form(priority, category="carpool")).get_json()["errors"].keys() == {"category"}
    assert solo.post_json(SUBMIT, form(priority, spot_id=priority.spots["C-01"])).get_json()["errors"].keys() == {"spot_id"}
    assert crew_member.post_json(SUBMIT, form(priority)).status_code == 201
    assert solo.post_json(SUBMIT, form(priority)).status_code == 201
    by_user = {r.user_id: r for r in reservations()}
    assert by_user[autun.employee.id].spot_id == priority.spots["C-01"]
    assert by_user[autun.employee.id].carpool_crew_label == "Équipage Autun–Épinac"
    assert by_user[autun.colleague.id].spot_id == priority.spots["S-01"]
    day = datetime.fromisoformat(window()[0]).date()
    assert (autun.employee.id, day) in fake_mobility.asked


def test_carpool_priority_works_when_nobody_answers(make_client, autun, no_mobility):
    priority = build_lot(autun.territory, name="Parking covoiturage", standard=1, carpool=1, carpool_priority=True)
    employee, colleague = make_client(), make_client()
    employee.login(autun.employee)
    colleague.login(autun.colleague)
    assert employee.post_json(SUBMIT, form(priority)).status_code == 201
    # The carpool spot stays kept: nobody is known to ride in a crew.
    assert colleague.post_json(SUBMIT, form(priority)).get_json()["errors"].keys() == {"starts_at"}
    ordinary = build_lot(autun.territory, name="Parking ordinaire", standard=0, carpool=1)
    assert colleague.post_json(SUBMIT, form(ordinary, category="carpool")).status_code == 201


def test_an_employee_outside_the_pilot_cannot_reserve(make_client, autun, lot):
    outsider = make_client()
    outsider.login(autun.outsider)
    assert outsider.post_json(SUBMIT, form(lot)).status_code == 403
    assert count(Reservation) == 0
