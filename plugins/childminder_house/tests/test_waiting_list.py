"""The waiting list: its order by the territory's rule, offers when a place frees, answers and expiry."""
from datetime import timedelta

import pytest
from coopserv_plugins.childminder_house import services
from coopserv_plugins.childminder_house.models import Placement
from sqlalchemy import select, update

from coopserv.plugin_api import configure_module, db, utcnow
from coopserv.testing import Notification

from .conftest import add_house, ask, place_form, status_of


@pytest.fixture
def full_house(tarare):
    """One place (a childminder taking one child, 8:00-18:00) and Textiles de Tarare sponsoring one place."""
    return add_house(tarare.territory, childminders=((1, "01234", 8 * 60, 18 * 60),), sponsors=((tarare.textiles, 1),))


@pytest.fixture
def queue(clients, tarare, full_house, scoped):
    """Plasturgie's Lou holds the place; then, in this order: Sam (no priority), Lou's second child, Camille
    (Textiles, sponsored) who needs 7:30, before the childminder arrives."""
    held = ask(clients.parent2, place_form("Aïcha", days=(0, 1)))
    plain = ask(clients.parent3, place_form("Noé", days=(0,)))
    sibling = ask(clients.parent2, place_form("Yanis", days=(0, 1)))
    sponsored = ask(clients.parent, place_form("Inès", days=(0,), starts="07:30"))
    assert [status_of(scoped, tarare.territory, r) for r in (held, plain, sibling, sponsored)] == \
        ["allocated", "waiting", "waiting", "waiting"]
    return {"held": held, "plain": plain, "sibling": sibling, "sponsored": sponsored}


def _order(tarare, house, scoped):
    with scoped(tarare.territory):
        return [entry.request_id for entry in services.waiting_list(house)]


def test_waiting_list_follows_the_configured_rule(tarare, full_house, queue, scoped):
    assert _order(tarare, full_house, scoped) == [queue["sponsored"], queue["sibling"], queue["plain"]]
    with scoped(tarare.territory):
        configure_module(tarare.module, {"first_criterion": "sibling", "second_criterion": "sponsored",
                                         "third_criterion": "none"})
    assert _order(tarare, full_house, scoped) == [queue["sibling"], queue["sponsored"], queue["plain"]]
    with scoped(tarare.territory):
        configure_module(tarare.module, {"first_criterion": "request_date", "second_criterion": "none",
                                         "third_criterion": "none"})
    assert _order(tarare, full_house, scoped) == [queue["plain"], queue["sibling"], queue["sponsored"]]


def test_a_company_gets_priority_only_while_it_has_funded_places_free(clients, tarare, full_house, queue, scoped):
    with scoped(tarare.territory):
        services.set_sponsorship(full_house, {"organization_id": tarare.plasturgie.id, "places": 1})
    # Plasturgie funds one place, which Lou's first child already holds: Sam gets no priority from it.
    assert _order(tarare, full_house, scoped) == [queue["sponsored"], queue["sibling"], queue["plain"]]
    with scoped(tarare.territory):
        services.set_sponsorship(full_house, {"organization_id": tarare.plasturgie.id, "places": 2})
    # Now Plasturgie has a funded place free: all three rank as sponsored; the sibling comes first, then
    # Sam, who asked before Camille.
    assert _order(tarare, full_house, scoped) == [queue["sibling"], queue["plain"], queue["sponsored"]]


def test_the_rule_is_configured_by_the_territory_and_checked(make_client, tarare, scoped):
    admin = make_client()
    admin.login(tarare.admin)
    page = admin.get("/t/ouest-rhodanien/admin/modules/childminder_house").get_data(as_text=True)
    assert 'name="first_criterion"' in page and 'name="offer_days"' in page
    bad = admin.post_form("/t/ouest-rhodanien/admin/modules/childminder_house",
                          {"offer_days": "0", "first_criterion": "sibling", "second_criterion": "sibling",
                           "third_criterion": "none"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="offer_days-error"' in text and 'id="second_criterion-error"' in text
    with scoped(tarare.territory):
        assert services.module_config()["first_criterion"] == "sponsored"


def test_a_freed_place_is_offered_to_the_first_request_that_fits(clients, tarare, full_house, queue, scoped):
    page = clients.operator.get(f"/t/ouest-rhodanien/childminder-house/houses/{full_house.id}").get_data(as_text=True)
    link = '/requests/{}"'.format
    assert page.index(link(queue["sponsored"])) < page.index(link(queue["sibling"])) < page.index(link(queue["plain"]))
    assert "sponsoring the house come first" in page or "entreprise qui finance" in page
    # Aïcha leaves. Camille (first) needs 7:30, which never fits; Yanis loses his sibling priority with his
    # sister gone, so Noé, who asked before him, is offered the place; Yanis (Monday too) waits.
    assert clients.operator.post_json(f"/t/ouest-rhodanien/requests/{queue['held']}/transition",
                                      {"transition": "leave"}).status_code == 200
    assert status_of(scoped, tarare.territory, queue["plain"]) == "offered"
    assert status_of(scoped, tarare.territory, queue["sibling"]) == "waiting"
    assert status_of(scoped, tarare.territory, queue["sponsored"]) == "waiting"
    with scoped(tarare.territory):
        placement = db.session.scalar(select(Placement).filter_by(request_id=queue["plain"]))
        assert placement.offer_deadline - placement.offered_at == timedelta(days=7)
        assert db.session.scalar(select(Notification).filter_by(user_id=tarare.parent3.id)
                                 .order_by(Notification.id.desc())).params["child"] == "Noé"
    offers = clients.operator.get(f"/t/ouest-rhodanien/childminder-house/houses/{full_house.id}").get_data(as_text=True)
    assert "Noé" in offers.split('id="offers-h"')[1]
    detail = clients.parent3.get(f"/t/ouest-rhodanien/requests/{queue['plain']}").get_data(as_text=True)
    assert 'value="accept_offer"' in detail and 'value="decline_offer"' in detail
    # The family accepts: the place is theirs; a new request cannot take it.
    assert clients.parent3.post_json(f"/t/ouest-rhodanien/requests/{queue['plain']}/transition",
                                     {"transition": "accept_offer"}).status_code == 200
    assert status_of(scoped, tarare.territory, queue["plain"]) == "allocated"
    assert status_of(scoped, tarare.territory, ask(clients.parent4, place_form("Zoé", days=(0,)))) == "waiting"


def _free_the_place(clients, queue):
    clients.operator.post_json(f"/t/ouest-rhodanien/requests/{queue['held']}/transition", {"transition": "leave"})


def test_a_declined_offer_passes_to_the_next_family(clients, tarare, full_house, queue, scoped):
    _free_the_place(clients, queue)
    # Someone else may not answer for the family.
    assert clients.parent.post_json(f"/t/ouest-rhodanien/requests/{queue['plain']}/transition",
                                    {"transition": "decline_offer"}).status_code == 403
    assert clients.parent3.post_json(f"/t/ouest-rhodanien/requests/{queue['plain']}/transition",
                                     {"transition": "decline_offer"}).status_code == 200
    assert status_of(scoped, tarare.territory, queue["plain"]) == "declined"
    assert status_of(scoped, tarare.territory, queue["sibling"]) == "offered"


def test_an_expired_offer_passes_to_the_next_and_the_tick_is_idempotent(app, clients, tarare, full_house, queue,
                                                                         scoped):
    _free_the_place(clients, queue)
    host = app.extensions["coopserv"]
    with scoped(tarare.territory):
        host.call_each("tick", territory=tarare.territory, now=utcnow() + timedelta(days=6))
    assert status_of(scoped, tarare.territory, queue["plain"]) == "offered"
    later = utcnow() + timedelta(days=8)
    with scoped(tarare.territory):
        assert services.expire_offers(later) == 1
        db.session.commit()
    assert status_of(scoped, tarare.territory, queue["plain"]) == "expired"
    assert status_of(scoped, tarare.territory, queue["sibling"]) == "offered"
    with scoped(tarare.territory):
        deadline = db.session.scalar(select(Placement.offer_deadline).filter_by(request_id=queue["sibling"]))
        assert deadline == later + timedelta(days=7)
        for _ in range(2):
            host.call_each("tick", territory=tarare.territory, now=later + timedelta(days=1))
    assert [status_of(scoped, tarare.territory, r) for r in (queue["plain"], queue["sibling"], queue["sponsored"])] \
        == ["expired", "offered", "waiting"]


def test_an_offer_cannot_be_accepted_after_its_deadline(clients, tarare, full_house, queue, scoped):
    _free_the_place(clients, queue)
    with scoped(tarare.territory):
        db.session.execute(update(Placement).where(Placement.request_id == queue["plain"])
                           .values(offer_deadline=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = clients.parent3.post_json(f"/t/ouest-rhodanien/requests/{queue['plain']}/transition",
                                         {"transition": "accept_offer"})
    assert response.status_code == 409 and response.get_json()["message"]
    assert status_of(scoped, tarare.territory, queue["plain"]) == "offered"


def test_withdrawing_a_waiting_request_removes_it_from_the_list(clients, tarare, full_house, queue, scoped):
    assert clients.parent3.post_json(f"/t/ouest-rhodanien/requests/{queue['plain']}/transition",
                                     {"transition": "cancel"}).status_code == 200
    assert _order(tarare, full_house, scoped) == [queue["sponsored"], queue["sibling"]]
    assert clients.operator.post_json(f"/t/ouest-rhodanien/requests/{queue['sibling']}/transition",
                                      {"transition": "remove"}).status_code == 200
    assert _order(tarare, full_house, scoped) == [queue["sponsored"]]


def test_a_place_ending_on_its_end_date_goes_to_the_waiting_list(app, clients, tarare, full_house, scoped):
    from .conftest import in_days

    held = ask(clients.parent2, place_form("Aïcha", days=(0,), start_in=1, end_date=in_days(10)))
    waiting = ask(clients.parent3, place_form("Noé", days=(0,), start_in=5))
    assert status_of(scoped, tarare.territory, waiting) == "waiting"
    with scoped(tarare.territory):
        app.extensions["coopserv"].call_each("tick", territory=tarare.territory, now=utcnow() + timedelta(days=11))
    assert status_of(scoped, tarare.territory, held) == "left"
    assert status_of(scoped, tarare.territory, waiting) == "offered"
