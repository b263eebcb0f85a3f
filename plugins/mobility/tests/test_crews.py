"""Proposals answered by both sides form crews; homes stay private until then; hooks for parking."""
from datetime import date, timedelta

from coopserv_plugins.mobility.models import Crew, CrewMember, Proposal, ShuttleRun
from flask import url_for
from sqlalchemy import select

from coopserv.plugin_api import db, plugin_host

from .conftest import commute_form, publish

HOME = "/t/ouest-rhodanien/mobility/"


def _proposal_id(ouest, scoped):
    with scoped(ouest.territory):
        return db.session.scalar(select(Proposal.id).order_by(Proposal.id.desc()))


def _answer(client, proposal_id, answer):
    return client.post_json(f"/t/ouest-rhodanien/mobility/proposals/{proposal_id}/answer", {"answer": answer})


def test_homes_show_only_the_town_until_both_accept(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="2"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("0", "1")))
    proposal_id = _proposal_id(ouest, scoped)

    before = people.driver.get(HOME).get_data(as_text=True)
    assert "Valsonne" in before
    for secret in ("45.9431", "4.4262", "Paula", "passenger@plasturgie.example"):
        assert secret not in before
    passenger_view = people.passenger.get(HOME).get_data(as_text=True)
    assert "Amplepuis" in passenger_view and "Dominique" not in passenger_view

    assert _answer(people.driver, proposal_id, "accept").get_json()["status"] == "pending"
    still_hidden = people.driver.get(HOME).get_data(as_text=True)
    assert "Paula" not in still_hidden and "45.9431" not in still_hidden

    done = _answer(people.passenger, proposal_id, "accept").get_json()
    assert done["status"] == "accepted" and done["crew_id"]
    after = people.driver.get(HOME).get_data(as_text=True)
    assert "Paula Passenger" in after and "45.9432, 4.4263" in after
    assert "Dominique Driver" in people.passenger.get(HOME).get_data(as_text=True)


def test_accepted_match_forms_a_crew_with_shared_days_and_seats_hold(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="1", days=("0", "1", "2")))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("1", "2", "4")))
    first = _proposal_id(ouest, scoped)
    publish(people.second, commute_form(ouest, "request", town="Tarare", days=("2", "3")))
    second = _proposal_id(ouest, scoped)
    assert first != second

    _answer(people.driver, first, "accept")
    _answer(people.passenger, first, "accept")
    with scoped(ouest.territory):
        crew = db.session.scalar(select(Crew))
        members = {m.role: m for m in db.session.scalars(select(CrewMember))}
        assert crew.label == "Amplepuis → ZA des Pins" and crew.active
        assert members["passenger"].weekdays == 0b110 and members["passenger"].days_per_week == 2
        assert members["driver"].weekdays == 0b111 and members["passenger"].trip_km > 4

    # The car's only seat is taken on Wednesday, the one day the second passenger shares.
    _answer(people.driver, second, "accept")
    refused = _answer(people.second, second, "accept")
    assert refused.status_code == 409 and refused.get_json()["message"]
    with scoped(ouest.territory):
        assert db.session.scalar(select(Proposal.status).filter_by(id=second)) == "pending"
        assert len(db.session.scalars(select(CrewMember)).all()) == 2


def test_a_declined_proposal_forms_no_crew_and_strangers_cannot_answer(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    proposal_id = _proposal_id(ouest, scoped)
    assert _answer(people.second, proposal_id, "accept").status_code == 404
    assert _answer(people.passenger, proposal_id, "maybe").status_code == 422
    assert _answer(people.passenger, proposal_id, "decline").get_json()["status"] == "declined"
    assert _answer(people.driver, proposal_id, "accept").status_code == 409
    with scoped(ouest.territory):
        assert db.session.scalar(select(Crew)) is None


def test_carpool_crew_for_tells_parking_who_rides_that_day(app, people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", days=("0", "1", "2")))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("1", "2")))
    proposal_id = _proposal_id(ouest, scoped)
    monday = date(2026, 11, 30)
    tuesday = monday + timedelta(days=1)
    with scoped(ouest.territory):
        ask = plugin_host().pm.hook.carpool_crew_for
        assert ask(user=ouest.passenger, day=tuesday) is None
    _answer(people.driver, proposal_id, "accept")
    _answer(people.passenger, proposal_id, "accept")
    with scoped(ouest.territory):
        crew_id = db.session.scalar(select(Crew.id))
        assert ask(user=ouest.passenger, day=tuesday) == {"crew_id": crew_id, "label": "Amplepuis → ZA des Pins",
                                                          "size": 2}
        assert ask(user=ouest.passenger, day=monday) is None
        assert ask(user=ouest.driver, day=monday) == {"crew_id": crew_id, "label": "Amplepuis → ZA des Pins",
                                                      "size": 1}
        assert ask(user=ouest.second, day=tuesday) is None


def test_mobility_alternatives_links_carpool_shuttle_and_bikes(app, ouest, scoped):
    from coopserv_plugins.mobility.models import BikePool

    from coopserv.plugin_api import utcnow

    with app.test_request_context("/t/ouest-rhodanien/"), scoped(ouest.territory):
        ask = plugin_host().pm.hook.mobility_alternatives
        links = [link for answer in ask(business_park="ZA des Pins") for link in answer]
        assert [link["label"] for link in links] == ["Proposer un covoiturage vers ZA des Pins",
                                                     "Chercher un covoiturage vers ZA des Pins"]
        assert links[0]["url"] == url_for("requests.service_page", territory_slug="ouest-rhodanien",
                                          service_key="mobility", kind="offer", park=ouest.pins.id)
        db.session.add_all([ShuttleRun(business_park_id=ouest.pins.id, origin="Gare de Tarare",
                                       departs_at=utcnow() + timedelta(days=1), seats=8),
                            BikePool(business_park_id=ouest.pins.id, name="Vélos", bikes=4)])
        db.session.commit()
        links = [link for answer in ask(business_park="ZA des Pins") for link in answer]
        assert len(links) == 4 and links[2]["url"].endswith("/mobility/#shuttle") and links[3]["url"].endswith("#bikes")
        assert [link for answer in ask(business_park="Parc inconnu") for link in answer] == []


def test_answering_from_the_page_with_htmx_returns_the_proposals_partial(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    proposal_id = _proposal_id(ouest, scoped)
    response = people.driver.post_form(f"/t/ouest-rhodanien/mobility/proposals/{proposal_id}/answer",
                                       {"answer": "accept"}, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div id="proposals"' in page and "<html" not in page
    assert "moi : acceptée, l'autre : en attente" in page


def _at_once(calls):
    """Run each (client, url, payload) at the same moment; return the responses' JSON and codes in order."""
    import threading

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, client, url, payload):
        barrier.wait()
        response = client.post_json(url, payload)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_both_sides_accepting_at_once_still_form_the_crew(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    url = f"/t/ouest-rhodanien/mobility/proposals/{_proposal_id(ouest, scoped)}/answer"
    results = _at_once([(people.driver, url, {"answer": "accept"}), (people.passenger, url, {"answer": "accept"})])
    assert sorted(body["status"] for _code, body in results) == ["accepted", "pending"]
    with scoped(ouest.territory):
        assert db.session.scalar(select(Proposal.status)) == "accepted"
        assert len(db.session.scalars(select(CrewMember)).all()) == 2


def test_two_passengers_accepting_the_last_seat_at_once_get_one_seat(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="1"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    first = _proposal_id(ouest, scoped)
    publish(people.second, commute_form(ouest, "request", town="Tarare"))
    second = _proposal_id(ouest, scoped)
    _answer(people.driver, first, "accept")
    _answer(people.driver, second, "accept")
    base = "/t/ouest-rhodanien/mobility/proposals"
    results = _at_once([(people.passenger, f"{base}/{first}/answer", {"answer": "accept"}),
                        (people.second, f"{base}/{second}/answer", {"answer": "accept"})])
    assert sorted(code for code, _body in results) == [200, 409]
    with scoped(ouest.territory):
        assert len(db.session.scalars(select(CrewMember).where(CrewMember.role == "passenger")).all()) == 1


def test_a_passenger_riding_in_a_crew_gets_no_new_proposals(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    proposal_id = _proposal_id(ouest, scoped)
    _answer(people.driver, proposal_id, "accept")
    _answer(people.passenger, proposal_id, "accept")
    publish(people.second, commute_form(ouest, "offer", town="Valsonne"))
    with scoped(ouest.territory):
        assert db.session.scalars(select(Proposal.id)).all() == [proposal_id]
    people.operator.post_json("/t/ouest-rhodanien/mobility/manage/match")
    with scoped(ouest.territory):
        assert db.session.scalars(select(Proposal.id)).all() == [proposal_id]


def test_accepting_a_match_between_people_already_in_a_crew_extends_their_days(people, ouest, scoped):
    """The passenger's second commute matches the same car: one seat in one crew, on the days of both."""
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="1"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("0", "1")))
    first = _proposal_id(ouest, scoped)
    _answer(people.driver, first, "accept")
    assert _answer(people.passenger, first, "accept").get_json()["status"] == "accepted"
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("3",)))
    second = _proposal_id(ouest, scoped)
    assert second != first
    assert _answer(people.driver, second, "accept").status_code == 200
    done = _answer(people.passenger, second, "accept")
    assert done.status_code == 200 and done.get_json()["status"] == "accepted"
    with scoped(ouest.territory):
        crews = db.session.scalars(select(Crew)).all()
        passengers = db.session.scalars(select(CrewMember).where(CrewMember.role == "passenger")).all()
    assert len(crews) == 1 and done.get_json()["crew_id"] == crews[0].id
    assert len(passengers) == 1
    assert passengers[0].weekdays == 0b1011 and passengers[0].days_per_week == 3 and passengers[0].seats == 1


def test_a_match_that_would_overfill_a_day_of_the_crew_is_refused_not_crashed(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="1"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("0",)))
    first = _proposal_id(ouest, scoped)
    publish(people.second, commute_form(ouest, "request", town="Tarare", days=("1",)))
    second = _proposal_id(ouest, scoped)
    for client, proposal in ((people.driver, first), (people.passenger, first), (people.driver, second),
                             (people.second, second)):
        assert _answer(client, proposal, "accept").status_code == 200
    # The first passenger now asks for Tuesday too, where the only seat is taken.
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne", days=("1",)))
    third = _proposal_id(ouest, scoped)
    with scoped(ouest.territory):
        matched = db.session.get(Proposal, third)
    if matched is not None and matched.request_id != matched.offer_id:
        _answer(people.driver, third, "accept")
        assert _answer(people.passenger, third, "accept").status_code in (200, 409)
    with scoped(ouest.territory):
        for day in range(7):
            riders = [m for m in db.session.scalars(select(CrewMember).where(CrewMember.role == "passenger",
                                                                              CrewMember.active.is_(True)))
                      if m.weekdays & (1 << day)]
            assert sum(m.seats for m in riders) <= 1


def test_my_crews_updates_without_a_reload_when_both_have_accepted(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    proposal_id = _proposal_id(ouest, scoped)
    url = f"/t/ouest-rhodanien/mobility/proposals/{proposal_id}/answer"
    htmx = {"HX-Request": "true"}
    waiting = people.driver.post_form(url, {"answer": "accept"}, headers=htmx).get_data(as_text=True)
    assert 'id="my-crews"' in waiting and 'hx-swap-oob="true"' in waiting
    assert "Paula Passenger" not in waiting
    assert 'hx-trigger="every 30s"' in waiting  # the driver's page checks for the other answer
    done = people.passenger.post_form(url, {"answer": "accept"}, headers=htmx).get_data(as_text=True)
    crews = done[done.index('<div id="my-crews"'):]
    assert 'hx-swap-oob="true"' in crews and "Dominique Driver" in crews
    # The driver's next check (htmx polling) brings the crew too.
    check = people.driver.get(HOME, headers=htmx).get_data(as_text=True)
    assert "<html" not in check and "Paula Passenger" in check[check.index('<div id="my-crews"'):]
    assert 'hx-trigger="every 30s"' not in check
