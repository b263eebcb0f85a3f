"""The coordinator's pages: houses, childminders, sponsors, the occupancy grid; roles and tenant isolation."""
import pytest
from coopserv_plugins.childminder_house.models import Childminder, House, Sponsorship
from sqlalchemy import func, select

from coopserv.plugin_api import db

from .conftest import add_house, ask, place_form

BASE = "/t/ouest-rhodanien/childminder-house"


def _count(scoped, territory, model):
    with scoped(territory):
        return db.session.scalar(select(func.count()).select_from(model))


def _house_form(**change):
    form = {"name": "MAM Les Petits Pas", "address": "Place de la Mairie, Saint-Forgeux", "opening_days[]": ["0", "1", "3"],
            "opens_at": "07:30", "closes_at": "18:30"}
    form.update(change)
    return form


def _childminder_form(**change):
    form = {"name": "Sandrine Perret", "max_children": "4", "days[]": ["0", "1"], "starts_at": "08:00",
            "ends_at": "17:00"}
    form.update(change)
    return form


def test_operator_sets_up_a_house_with_childminders_and_a_sponsor(clients, tarare, scoped):
    response = clients.operator.post_form(f"{BASE}/houses", _house_form())
    assert response.status_code == 302
    with scoped(tarare.territory):
        house = db.session.scalar(select(House))
        assert (house.opening_days, house.opens_at, house.closes_at) == ("013", 450, 1110)
    assert clients.operator.post_form(f"{BASE}/houses/{house.id}/childminders", _childminder_form()).status_code == 302
    assert clients.operator.post_form(f"{BASE}/houses/{house.id}/sponsors",
                                      {"organization_id": tarare.textiles.id, "places": "3"}).status_code == 302
    page = clients.operator.get(f"{BASE}/manage").get_data(as_text=True)
    assert "Sandrine Perret" in page and "Textiles de Tarare" in page and "MAM Les Petits Pas" in page
    grid = clients.operator.get(f"{BASE}/houses/{house.id}").get_data(as_text=True)
    # Monday 8:00-8:30: capacity 4, nobody yet; Thursday: she does not work.
    assert '<th scope="row">8 h 00–8 h 30</th>' in grid and "08:00" not in grid
    row = grid.split('<th scope="row">8 h 00–8 h 30</th>')[1].split("</tr>")[0]
    assert row.count("0 sur 4") + row.count("0 of 4") == 2 and ("sans assistante" in row or "no childminder" in row)
    assert "7 h 30–18 h 30" in page  # the house's hours on the management page
    clients.operator.post_form("/language", {"lang": "en", "next": "/"})
    english = clients.operator.get(f"{BASE}/houses/{house.id}").get_data(as_text=True)
    assert '<th scope="row">8:00\u202fAM–8:30\u202fAM</th>' in english or \
        '<th scope="row">8:00 AM–8:30 AM</th>' in english
    # The edit form still fills its time inputs with HH:MM.
    edit = clients.operator.get(f"{BASE}/houses/{house.id}/edit").get_data(as_text=True)
    assert 'value="07:30"' in edit


@pytest.mark.parametrize("form, data, field", [
    ("houses", _house_form(name=""), "name"),
    ("houses", _house_form(closes_at="07:00"), "closes_at"),
    ("houses", {k: v for k, v in _house_form().items() if k != "opening_days[]"}, "opening_days"),
    ("childminders", _childminder_form(max_children="9"), "max_children"),
    ("childminders", _childminder_form(ends_at="07:00"), "ends_at"),
    ("childminders", _childminder_form(starts_at="06:00"), "starts_at"),
    ("childminders", _childminder_form(**{"days[]": ["6"]}), "days"),
    ("sponsors", {"organization_id": "999999", "places": "2"}, "organization_id"),
    ("sponsors", {"organization_id": "1", "places": "-1"}, "places"),
])
def test_bad_house_input_is_a_field_error_and_changes_nothing(clients, tarare, house, scoped, form, data, field):
    before = [_count(scoped, tarare.territory, model) for model in (House, Childminder, Sponsorship)]
    url = f"{BASE}/houses" if form == "houses" else f"{BASE}/houses/{house.id}/{form}"
    response = clients.operator.post_form(url, data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert [_count(scoped, tarare.territory, model) for model in (House, Childminder, Sponsorship)] == before


def test_capacity_cannot_fall_below_the_children_booked(clients, tarare, house, scoped):
    ask(clients.parent, place_form("A", days=(0,), starts="08:00", ends="12:00"))
    ask(clients.parent2, place_form("B", days=(0,), starts="09:00", ends="17:00"))
    with scoped(tarare.territory):
        childminder = db.session.scalar(select(Childminder))
    response = clients.operator.post_form(f"{BASE}/childminders/{childminder.id}/edit",
                                          _childminder_form(name="Assistante 1", max_children="1",
                                                            **{"days[]": ["0", "1", "2", "3", "4"]}))
    assert response.status_code == 422
    assert 'id="max_children-error"' in response.get_data(as_text=True)
    with scoped(tarare.territory):
        assert db.session.get(Childminder, childminder.id, populate_existing=True).max_children == 2
    # Leaving at 16:00 would leave B (until 17:00) without a childminder.
    shorter = clients.operator.post_form(f"{BASE}/childminders/{childminder.id}/edit",
                                         _childminder_form(name="Assistante 1", max_children="2", ends_at="16:00",
                                                           **{"days[]": ["0", "1", "2", "3", "4"]}))
    assert shorter.status_code == 422
    # Removing her is refused too; closing on Mondays or opening at 10:00 as well.
    assert clients.operator.post_form(f"{BASE}/childminders/{childminder.id}/remove").status_code == 409
    for change, field in (({"opening_days[]": ["1", "2"]}, "opening_days"), ({"opens_at": "10:00"}, "opens_at")):
        edit = clients.operator.post_form(f"{BASE}/houses/{house.id}/edit",
                                          _house_form(**{"opening_days[]": ["0", "1", "2", "3", "4"], **change}))
        assert edit.status_code == 422 and f'id="{field}-error"' in edit.get_data(as_text=True)
    with scoped(tarare.territory):
        assert db.session.get(House, house.id, populate_existing=True).opening_days == "01234"
        assert db.session.scalar(select(func.count()).select_from(Childminder)) == 1
    # A change that keeps room for both children is accepted.
    ok = clients.operator.post_form(f"{BASE}/childminders/{childminder.id}/edit",
                                    _childminder_form(name="Assistante 1", max_children="3", ends_at="18:00",
                                                      **{"days[]": ["0", "1", "2", "3", "4"]}))
    assert ok.status_code == 302


def test_more_capacity_offers_places_to_the_waiting_list(clients, tarare, house, scoped):
    from .conftest import status_of

    ask(clients.parent, place_form("A", days=(0,)))
    ask(clients.parent2, place_form("B", days=(0,)))
    waiting = ask(clients.parent3, place_form("C", days=(0,)))
    assert status_of(scoped, tarare.territory, waiting) == "waiting"
    assert clients.operator.post_form(f"{BASE}/houses/{house.id}/childminders",
                                      _childminder_form(name="Nathalie Girard", **{"days[]": ["0"]},
                                                        starts_at="08:00", ends_at="18:00")).status_code == 302
    assert status_of(scoped, tarare.territory, waiting) == "offered"


def _routes(house, childminder):
    return [("get", f"{BASE}/manage"), ("get", f"{BASE}/houses/{house.id}"), ("get", f"{BASE}/houses/{house.id}/edit"),
            ("post", f"{BASE}/houses/{house.id}/edit"), ("post", f"{BASE}/houses"),
            ("post", f"{BASE}/houses/{house.id}/childminders"), ("get", f"{BASE}/childminders/{childminder.id}/edit"),
            ("post", f"{BASE}/childminders/{childminder.id}/edit"),
            ("post", f"{BASE}/childminders/{childminder.id}/remove"), ("post", f"{BASE}/houses/{house.id}/sponsors")]


def test_employees_cannot_reach_operator_pages(clients, tarare, house, scoped):
    with scoped(tarare.territory):
        childminder = db.session.scalar(select(Childminder))
    for method, url in _routes(house, childminder) + [("get", "/t/ouest-rhodanien/operator/childminder_house")]:
        response = clients.parent.get(url) if method == "get" else clients.parent.post_form(url, _house_form())
        assert response.status_code == 403, url
    assert _count(scoped, tarare.territory, House) == 1


def test_other_territories_see_nothing_of_this_house(make_client, tarare, autun, house, scoped):
    """Autun's coordinator and admin get 404 on Tarare's rows, through Autun's URLs and Tarare's."""
    with scoped(tarare.territory):
        childminder = db.session.scalar(select(Childminder))
    for user in (autun.operator, autun.admin):
        client = make_client()
        client.login(user)
        for method, url in _routes(house, childminder):
            autun_url = url.replace("ouest-rhodanien", "autun-morvan")
            for target in (autun_url, url):
                response = client.get(target) if method == "get" else client.post_form(target, _house_form())
                if target == url:
                    assert response.status_code in (403, 404), target
                elif "/manage" in target or target.endswith("/houses"):
                    continue  # Autun's own list and creation form
                else:
                    assert response.status_code == 404, target
                assert "P&#39;tits Loups" not in response.get_data(as_text=True)
    with scoped(tarare.territory):
        assert db.session.get(House, house.id, populate_existing=True).name == "MAM Les P'tits Loups"
        assert db.session.scalar(select(func.count()).select_from(Childminder)) == 1
        assert db.session.scalar(select(func.count()).select_from(Sponsorship)) == 0


def test_a_request_for_another_territorys_house_is_refused(make_client, tarare, autun, house):
    autun_parent = make_client()
    autun_parent.login(autun.parent)
    add_house(autun.territory)
    response = autun_parent.post_form("/t/autun-morvan/services/childminder_house/requests",
                                      place_form(house_id=str(house.id)))
    assert response.status_code == 422 and 'id="house_id-error"' in response.get_data(as_text=True)


def test_house_page_queries_do_not_grow_with_the_waiting_list(clients, tarare, house, count_queries):
    def queries():
        with count_queries() as statements:
            assert clients.operator.get(f"{BASE}/houses/{house.id}").status_code == 200
        return len(statements)

    for child in ("A", "B", "C"):
        ask(clients.parent, place_form(child, days=(0,)))
    few = queries()
    for child in ("D", "E", "F", "G"):
        ask(clients.parent2, place_form(child, days=(0, 1)))
    assert queries() == few


def test_the_waiting_list_shows_request_references_not_database_ids(make_client, clients, tarare, house, autun,
                                                                     scoped):
    from coopserv.plugin_api import ServiceRequest

    # Another territory's request comes first, so this territory's numbers and the database ids differ.
    autun_house = add_house(autun.territory)
    autun_parent = make_client()
    autun_parent.login(autun.parent)
    assert autun_parent.post_form("/t/autun-morvan/services/childminder_house/requests",
                                  place_form(house_id=str(autun_house.id))).status_code == 302
    ask(clients.parent, place_form("A", days=(0,)))
    ask(clients.parent2, place_form("B", days=(0,)))
    waiting = ask(clients.parent3, place_form("C", days=(0,)))
    with scoped(tarare.territory):
        request = db.session.get(ServiceRequest, waiting)
        assert request.status == "waiting" and request.number == 3 and request.id != request.number
    page = clients.operator.get(f"{BASE}/houses/{house.id}").get_data(as_text=True)
    listed = page.split('id="waiting-h"')[1].split("</table>")[0]
    assert f'/requests/{waiting}">#3</a>' in listed and f">#{waiting}<" not in listed
