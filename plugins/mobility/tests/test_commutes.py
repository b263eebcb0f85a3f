"""Publishing commutes through the request flow: validation, proposals, workflow."""
from coopserv_plugins.mobility.models import Commute, Proposal
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, db

from .conftest import commute_form, publish

URL = "/t/ouest-rhodanien/services/mobility/requests"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def test_the_form_lists_parks_and_towns(people):
    page = people.driver.get("/t/ouest-rhodanien/services/mobility?kind=offer").get_data(as_text=True)
    assert "ZA des Pins" in page and "Amplepuis" in page
    assert 'id="kind-offer" name="kind" value="offer" required checked' in page


def test_an_offer_and_a_request_on_the_way_are_proposed_to_each_other(people, ouest, scoped):
    offer_request = publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="3"))
    ask_request = publish(people.passenger, commute_form(ouest, "request", town="Valsonne",
                                                         departure="07:40", days=("0", "2")))
    with scoped(ouest.territory):
        offer = db.session.scalar(select(Commute).filter_by(request_id=offer_request))
        ask = db.session.scalar(select(Commute).filter_by(request_id=ask_request))
        assert (offer.town_name, offer.home_latitude, offer.weekdays, offer.seats) == ("Amplepuis", 45.9725, 0b11111, 3)
        assert (ask.town_name, ask.home_latitude, ask.weekdays) == ("Valsonne", 45.94318, 0b101)
        proposal = db.session.scalar(select(Proposal))
        assert (proposal.offer_id, proposal.request_id, proposal.shared_days, proposal.time_gap_minutes) == (
            offer.id, ask.id, 0b101, 10)
        assert 0 < proposal.detour_km < 5


def test_bad_commutes_get_field_errors_and_store_nothing(people, ouest, figeac, scoped):
    bad = commute_form(ouest, "offer", departure="08:00", back="07:00", seats="0", days=())
    response = people.driver.post_form(URL, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("town_id", "return_time", "seats", "weekdays"):
        assert f'id="{field}-error"' in page, field
    api = people.driver.post_json(URL, {"kind": "request", "business_park_id": 999, "weekdays": [9],
                                        "departure_time": "07:00", "return_time": "16:00", "seats": 9})
    assert api.status_code == 422
    assert set(api.get_json()["errors"]) >= {"business_park_id", "weekdays", "seats", "town_id"}
    assert _count(ServiceRequest) == 0 and _count(Commute) == 0 and _count(Proposal) == 0


def test_the_town_is_chosen_from_the_territorys_towns_never_typed(people, ouest, figeac, scoped):
    from coopserv_plugins.mobility.models import Town

    with scoped(figeac.territory):
        elsewhere = Town(name="Figeac", latitude=44.6, longitude=2.03)
        db.session.add(elsewhere)
        db.session.commit()
    page = people.driver.get("/t/ouest-rhodanien/services/mobility").get_data(as_text=True)
    assert '<select id="town_id" name="town_id" required' in page and 'name="town_name"' not in page
    assert 'name="home_latitude"' not in page and ">Figeac<" not in page
    typed = dict(commute_form(ouest, "offer"), town_name="Hameau perdu", home_latitude="45.9", home_longitude="4.4")
    response = people.driver.post_form(URL, typed)
    assert response.status_code == 422 and 'id="town_id-error"' in response.get_data(as_text=True)
    for wrong in (str(elsewhere.id), "abc", "0"):  # another territory's town, not a number, no such town
        form = people.driver.post_form(URL, dict(commute_form(ouest, "offer"), town_id=wrong))
        assert form.status_code == 422 and 'id="town_id-error"' in form.get_data(as_text=True), wrong
    api = people.driver.post_json(URL, dict(commute_form(ouest, "request"), town_id=elsewhere.id, weekdays=[0]))
    assert api.status_code == 422 and set(api.get_json()["errors"]) == {"town_id"}
    assert _count(ServiceRequest) == 0 and _count(Commute) == 0
    chosen = publish(people.driver, commute_form(ouest, "offer", town="Tarare"))
    with scoped(ouest.territory):
        commute = db.session.scalar(select(Commute).filter_by(request_id=chosen))
        assert (commute.town_name, commute.home_latitude, commute.town_id) == ("Tarare", 45.8960,
                                                                               ouest.towns["Tarare"].id)


def test_withdrawing_stops_matching_and_illegal_moves_are_refused(people, ouest, scoped):
    offer_request = publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    # The passenger cannot withdraw the driver's commute, nor may the driver "close" it.
    assert people.passenger.post_json(f"/t/ouest-rhodanien/requests/{offer_request}/transition",
                                      {"transition": "withdraw"}).status_code == 403
    assert people.driver.post_json(f"/t/ouest-rhodanien/requests/{offer_request}/transition",
                                   {"transition": "close"}).status_code == 409
    assert people.driver.post_json(f"/t/ouest-rhodanien/requests/{offer_request}/transition",
                                   {"transition": "withdraw"}).status_code == 200
    assert people.driver.post_json(f"/t/ouest-rhodanien/requests/{offer_request}/transition",
                                   {"transition": "withdraw"}).status_code == 409
    with scoped(ouest.territory):
        assert db.session.scalar(select(Commute.active).filter_by(request_id=offer_request)) is False
        assert db.session.scalars(select(Proposal.status)).all() == ["closed"]
    # A new request no longer matches the withdrawn offer.
    publish(people.second, commute_form(ouest, "request", town="Valsonne"))
    assert _count(Proposal) == 1


def test_the_operator_recomputes_every_proposal(people, ouest, scoped):
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    with scoped(ouest.territory):
        db.session.execute(Proposal.__table__.delete())
        db.session.commit()
    result = people.operator.post_json("/t/ouest-rhodanien/mobility/manage/match")
    assert result.get_json() == {"proposals": 1, "created": 1}
    assert people.operator.post_json("/t/ouest-rhodanien/mobility/manage/match").get_json() == {
        "proposals": 1, "created": 0}


def test_the_request_page_shows_the_commute_in_french(people, ouest):
    request_id = publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", days=("0", "4")))
    page = people.driver.get(f"/t/ouest-rhodanien/requests/{request_id}").get_data(as_text=True)
    assert "Amplepuis" in page and "ZA des Pins" in page and "Lundi Vendredi" in page
    assert "Conducteur proposant des places" in page
