"""The place request: allocation when every slot has room, the waiting list otherwise, bad input refused."""
import pytest
from coopserv_plugins.childminder_house.models import Placement, PlacementSlot
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, StatusChange, db

from .conftest import ask, in_days, place_form, status_of


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def test_a_request_that_fits_gets_a_place_at_once(clients, tarare, house, scoped):
    form = clients.parent.get("/t/ouest-rhodanien/services/childminder_house").get_data(as_text=True)
    assert 'name="day0_start"' in form and 'name="day4_end"' in form and 'name="day5_start"' not in form
    assert '<label for="child_first_name">Prénom' in form and "Ouverte le Lundi" in form
    request_id = ask(clients.parent, place_form(days=(0, 1), starts="08:00", ends="12:00"))
    assert status_of(scoped, tarare.territory, request_id) == "allocated"
    with scoped(tarare.territory):
        placement = db.session.scalar(select(Placement).filter_by(request_id=request_id))
        assert placement.allocated_at is not None and placement.child_first_name == "Léo"
        assert [(s.weekday, s.starts_at, s.ends_at) for s in placement.slots] == [(0, 480, 720), (1, 480, 720)]
        history = db.session.scalars(select(StatusChange.to_status).filter_by(request_id=request_id)
                                     .order_by(StatusChange.id)).all()
    assert history == ["submitted", "allocated"]
    page = clients.parent.get(f"/t/ouest-rhodanien/requests/{request_id}").get_data(as_text=True)
    # Hours as a French reader says them, through the core's clock format (not "08:00").
    assert "Léo" in page and "<td>8 h 00</td><td>12 h 00</td>" in page and "08:00" not in page


def test_a_place_is_allocated_only_if_every_slot_has_room(clients, tarare, house, scoped):
    # Two places. Two children on Monday morning fill it; Tuesday stays free.
    assert status_of(scoped, tarare.territory, ask(clients.parent, place_form("A", days=(0,), starts="08:00",
                                                                              ends="12:00"))) == "allocated"
    assert status_of(scoped, tarare.territory, ask(clients.parent2, place_form("B", days=(0,), starts="11:30",
                                                                               ends="13:00"))) == "allocated"
    # Tuesday alone fits; Monday 11:30-12:00 is full, so Monday+Tuesday does not fit even though Tuesday does.
    both = ask(clients.parent3, place_form("C", days=(0, 1), starts="11:00", ends="14:00"))
    assert status_of(scoped, tarare.territory, both) == "waiting"
    # Monday afternoon, after both children have left at 13:00, is free.
    afternoon = ask(clients.parent4, place_form("D", days=(0,), starts="13:00", ends="18:00"))
    assert status_of(scoped, tarare.territory, afternoon) == "allocated"
    # Before the childminder arrives (8:00) there is no capacity at all.
    early = ask(clients.parent4, place_form("E", days=(2,), starts="07:30", ends="09:00"))
    assert status_of(scoped, tarare.territory, early) == "waiting"


def test_dates_count_only_children_present_at_the_same_time(clients, tarare, house, scoped):
    ask(clients.parent, place_form("A", days=(0,), start_in=1, end_date=in_days(30)))
    ask(clients.parent2, place_form("B", days=(0,), start_in=1, end_date=in_days(30)))
    # Same Monday hours, but starting after both have left: fits.
    later = ask(clients.parent3, place_form("C", days=(0,), start_in=31))
    assert status_of(scoped, tarare.territory, later) == "allocated"
    overlapping = ask(clients.parent4, place_form("D", days=(0,), start_in=20))
    assert status_of(scoped, tarare.territory, overlapping) == "waiting"


@pytest.mark.parametrize("change, field", [
    ({"child_age_months": "73"}, "child_age_months"),
    ({"child_age_months": "-1"}, "child_age_months"),
    ({"child_age_months": "", "child_birth_date": "2015-01-01"}, "child_birth_date"),
    ({"child_age_months": "", "child_birth_date": in_days(10)}, "child_birth_date"),
    ({"child_age_months": ""}, "child_age_months"),
    ({"start_date": in_days(-1)}, "start_date"),
    ({"end_date": in_days(3)}, "end_date"),
    ({"day0_start": "19:00", "day0_end": "20:00"}, "slots"),
    ({"day0_start": "12:00", "day0_end": "09:00"}, "slots"),
    ({"day5_start": "09:00", "day5_end": "12:00"}, "slots"),
    ({"child_first_name": ""}, "child_first_name"),
])
def test_bad_requests_get_field_errors_and_store_nothing(clients, house, change, field):
    form = dict(place_form(days=(0,)), **change)
    response = clients.parent.post_form("/t/ouest-rhodanien/services/childminder_house/requests", form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(ServiceRequest) == 0 and _count(Placement) == 0 and _count(PlacementSlot) == 0


def test_json_clients_get_the_same_field_errors(clients, house):
    response = clients.parent.post_json("/t/ouest-rhodanien/services/childminder_house/requests", {
        "child_first_name": "Léo", "child_age_months": 80, "start_date": in_days(-3),
        "slots": [{"weekday": 0, "starts_at": "09:00", "ends_at": "08:00"}]})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"child_age_months", "start_date", "slots"}
    assert _count(ServiceRequest) == 0
    ok = clients.parent.post_json("/t/ouest-rhodanien/services/childminder_house/requests", {
        "child_first_name": "Léo", "child_birth_date": in_days(-400), "start_date": in_days(3),
        "slots": [{"weekday": 2, "starts_at": "09:00", "ends_at": "16:00"}]})
    assert ok.status_code == 201 and ok.get_json()["status"] == "allocated"


def test_a_prototype_module_takes_requests_from_pilot_companies_only(make_client, tarare, house, scoped):
    from coopserv.testing import update_settings

    with scoped(tarare.territory):
        update_settings(tarare.module, {"stage": "prototype", "access": "open",
                                        "pilot_organization_ids": [tarare.textiles.id]})
    pilot, other = make_client(), make_client()
    pilot.login(tarare.parent)
    other.login(tarare.parent2)
    assert ask(pilot, place_form())
    refused = other.post_form("/t/ouest-rhodanien/services/childminder_house/requests", place_form())
    assert refused.status_code == 403
    assert _count(ServiceRequest) == 1


def test_illegal_transitions_are_refused(clients, tarare, house, scoped):
    allocated = ask(clients.parent, place_form("A", days=(0,)))
    # A family cannot allocate itself a place, nor accept an offer it was never made.
    for name in ("allocate", "offer", "accept_offer"):
        response = clients.parent.post_json(f"/t/ouest-rhodanien/requests/{allocated}/transition", {"transition": name})
        assert response.status_code == 409, name
    # An operator cannot "remove from the list" a child who has a place.
    assert clients.operator.post_json(f"/t/ouest-rhodanien/requests/{allocated}/transition",
                                      {"transition": "remove"}).status_code == 409
    assert status_of(scoped, tarare.territory, allocated) == "allocated"
    # Another parent may not touch someone else's request at all.
    assert clients.parent2.post_json(f"/t/ouest-rhodanien/requests/{allocated}/transition",
                                     {"transition": "leave"}).status_code == 403
    assert clients.operator.post_json(f"/t/ouest-rhodanien/requests/{allocated}/transition",
                                      {"transition": "leave"}).status_code == 200
    assert status_of(scoped, tarare.territory, allocated) == "left"
