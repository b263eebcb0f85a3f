"""When the childminder house service stops, its places and offers are given up (hook module_stopped)."""
from coopserv_plugins.childminder_house import services
from coopserv_plugins.childminder_house.models import Placement
from sqlalchemy import select

from coopserv.plugin_api import db

from .conftest import add_house, ask, place_form, status_of


def test_stopping_the_service_gives_up_places_and_offers(clients, tarare, scoped):
    house = add_house(tarare.territory, childminders=((1, "01234", 8 * 60, 18 * 60),))  # one place
    held = ask(clients.parent, place_form("Aïcha", days=(0, 1)))
    offered = ask(clients.parent2, place_form("Noé", days=(0,)))
    waiting = ask(clients.parent3, place_form("Yanis", days=(0,)))
    assert clients.operator.post_json(f"/t/ouest-rhodanien/requests/{held}/transition",
                                      {"transition": "leave"}).status_code == 200
    assert [status_of(scoped, tarare.territory, r) for r in (held, offered, waiting)] == ["left", "offered", "waiting"]
    again = ask(clients.parent4, place_form("Inès", days=(2,)))  # Wednesday is free: allocated at once
    assert status_of(scoped, tarare.territory, again) == "allocated"
    with scoped(tarare.territory):
        assert len(services.bookings(house.id)) == 2

    assert clients.admin.post_form("/t/ouest-rhodanien/admin/modules/childminder_house/settings",
                                   {"stage": "stopped", "access": "open"}).status_code == 302

    assert [status_of(scoped, tarare.territory, r) for r in (held, offered, waiting, again)] == [
        "left", "service_stopped", "service_stopped", "service_stopped"]
    with scoped(tarare.territory):
        placements = {p.request_id: p for p in db.session.scalars(select(Placement)).all()}
        assert placements[again].ended_at is not None  # the place is given up, dated
        assert placements[offered].offer_deadline is None  # nobody is waiting on an answer any more
        assert placements[waiting].ended_at is None  # it never held a place
        assert services.bookings(house.id) == [] and services.waiting_list(house) == []
