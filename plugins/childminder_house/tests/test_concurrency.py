"""Capacity holds when several families ask for, or accept, the last place at the same moment.

Each family is a separate client; every request runs in its own thread, app
context and database session, as in several server processes. On PostgreSQL
the house row lock serialises them; on SQLite the database write lock does.
"""
import threading

from coopserv_plugins.childminder_house.models import Placement
from sqlalchemy import func, select, update

from coopserv.plugin_api import ServiceRequest, db

from .conftest import add_house, ask, place_form, status_of

URL = "/t/ouest-rhodanien/services/childminder_house/requests"


def _all_at_once(calls):
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _statuses(scoped, territory):
    with scoped(territory):
        return sorted(db.session.scalars(select(ServiceRequest.status)
                                         .execution_options(populate_existing=True)).all())


def _json_request(child):
    form = place_form(child, days=(0,))
    return {"child_first_name": child, "child_age_months": 10, "start_date": form["start_date"],
            "slots": [{"weekday": 0, "starts_at": "09:00", "ends_at": "12:00"}]}


def test_families_asking_for_the_last_place_at_once_get_it_once(clients, tarare, scoped):
    add_house(tarare.territory, childminders=((1, "01234", 8 * 60, 18 * 60),))
    families = [clients.parent, clients.parent2, clients.parent3, clients.parent4]
    results = _all_at_once([lambda c=c, n=n: c.post_json(URL, _json_request(f"Enfant {n}"))
                            for n, c in enumerate(families)])
    assert [r.status_code for r in results] == [201] * 4
    assert sorted(r.get_json()["status"] for r in results) == ["allocated", "waiting", "waiting", "waiting"]
    assert _statuses(scoped, tarare.territory) == ["allocated", "waiting", "waiting", "waiting"]


def test_an_accepted_offer_and_new_requests_at_once_keep_one_child_per_place(clients, tarare, scoped):
    add_house(tarare.territory, childminders=((1, "01234", 8 * 60, 18 * 60),))
    held = ask(clients.parent2, place_form("Aïcha", days=(0,)))
    offered = ask(clients.parent3, place_form("Noé", days=(0,)))
    clients.operator.post_json(f"/t/ouest-rhodanien/requests/{held}/transition", {"transition": "leave"})
    assert status_of(scoped, tarare.territory, offered) == "offered"
    calls = [lambda: clients.parent3.post_json(f"/t/ouest-rhodanien/requests/{offered}/transition",
                                               {"transition": "accept_offer"})]
    calls += [lambda c=c, n=n: c.post_json(URL, _json_request(f"Enfant {n}"))
              for n, c in enumerate((clients.parent, clients.parent4, clients.parent2))]
    results = _all_at_once(calls)
    assert results[0].status_code == 200
    assert [r.get_json()["status"] for r in results[1:]] == ["waiting"] * 3
    assert status_of(scoped, tarare.territory, offered) == "allocated"
    assert _statuses(scoped, tarare.territory).count("allocated") == 1


def test_two_offers_for_the_last_place_accepted_at_once_only_one_wins(clients, tarare, scoped):
    """Offers never exceed capacity, but if two existed (a manual fix, an old bug), accepting checks again."""
    house = add_house(tarare.territory, childminders=((1, "01234", 8 * 60, 18 * 60),))
    held = ask(clients.parent2, place_form("Aïcha", days=(0,)))
    first = ask(clients.parent3, place_form("Noé", days=(0,)))
    second = ask(clients.parent4, place_form("Zoé", days=(0,)))
    clients.operator.post_json(f"/t/ouest-rhodanien/requests/{held}/transition", {"transition": "leave"})
    assert status_of(scoped, tarare.territory, first) == "offered"
    with scoped(tarare.territory):
        db.session.execute(update(ServiceRequest).where(ServiceRequest.id == second).values(status="offered"))
        deadline = db.session.scalar(select(Placement.offer_deadline).filter_by(request_id=first))
        db.session.execute(update(Placement).where(Placement.request_id == second).values(offer_deadline=deadline))
        db.session.commit()
    results = _all_at_once([
        lambda: clients.parent3.post_json(f"/t/ouest-rhodanien/requests/{first}/transition",
                                          {"transition": "accept_offer"}),
        lambda: clients.parent4.post_json(f"/t/ouest-rhodanien/requests/{second}/transition",
                                          {"transition": "accept_offer"}),
    ])
    assert sorted(r.status_code for r in results) == [200, 409]
    with scoped(tarare.territory):
        allocated = db.session.scalar(
            select(func.count()).select_from(Placement).join(ServiceRequest, ServiceRequest.id == Placement.request_id)
            .where(Placement.house_id == house.id, ServiceRequest.status == "allocated"))
    assert allocated == 1
