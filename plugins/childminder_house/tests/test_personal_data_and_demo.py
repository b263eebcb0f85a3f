"""A family's data can be exported and erased; the demo seeds Ouest Rhodanien's house."""
from coopserv_plugins.childminder_house import services
from coopserv_plugins.childminder_house.models import Childminder, House, Placement
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, db
from coopserv.testing import erase_person, export_person

from .conftest import ask, place_form, status_of


def test_a_family_exports_and_erases_its_data(clients, tarare, house, scoped):
    request_id = ask(clients.parent, place_form("Léonie", days=(0,), child_birth_date="2025-06-15",
                                                child_age_months=""))
    exported = export_person(tarare.parent)["childminder_house_placements"]
    assert [(row["request_id"], row["child_first_name"], row["child_birth_date"]) for row in exported] == \
        [(request_id, "Léonie", "2025-06-15")]
    erase_person(tarare.parent)
    with scoped(tarare.territory):
        placement = db.session.scalar(select(Placement).filter_by(request_id=request_id))
        assert (placement.requester_id, placement.child_first_name, placement.child_birth_date) == (None, "", None)
    # The place itself stays held until the coordinator records the departure: capacity still holds.
    assert status_of(scoped, tarare.territory, request_id) == "allocated"


def test_the_demo_seeds_the_ptits_loups_in_tarare(app, make_client):
    from coopserv.plugin_api import Territory, territory_scope
    from coopserv.testing import seed_demo

    seed_demo()
    territory = db.session.scalar(select(Territory).filter_by(slug="ouest-rhodanien"))
    with territory_scope(territory):
        house = db.session.scalar(select(House))
        assert house.name == "MAM Les P'tits Loups" and "Tarare" in house.address
        assert db.session.scalar(select(func.count()).select_from(Childminder)) == 3
        booked = services.bookings(house.id)
        waiting = services.waiting_list(house)
        assert len(booked) == 9 and len(waiting) == 3
        # The demo respects its own capacity, and nobody waiting would fit now.
        from coopserv_plugins.childminder_house.capacity import shortfalls

        assert shortfalls(services.capacity_of(house.id), booked) == []
        assert not any(entry.fits for entry in waiting)
        # Default rule: Noah (sponsored company, sister in the house), Inès (sponsored), Manon (brother there).
        assert [(e.child_first_name, e.sponsored, e.sibling) for e in waiting] == \
            [("Noah", True, True), ("Inès", True, False), ("Manon", False, True)]
        assert services.sponsorship_usage(house.id)
    # Only Ouest Rhodanien runs the house.
    assert db.session.scalar(select(func.count()).select_from(House)
                             .execution_options(**{ALL_TERRITORIES: True})) == 1
    from coopserv.plugin_api import User

    operator = db.session.scalar(select(User).filter_by(email="operator-childminder-house@ouest-rhodanien.demo"))
    client = make_client()
    client.login(operator, password="coopserv-demo")
    page = client.get(f"/t/ouest-rhodanien/childminder-house/houses/{house.id}").get_data(as_text=True)
    assert "Inès" in page.split('id="waiting-h"')[1]
    early = page.split('<th scope="row">7 h 30–8 h 00</th>')[1].split("</tr>")[0]
    assert early.count('class="full"') == 4  # four children at 7:30 with one childminder, but Wednesday
