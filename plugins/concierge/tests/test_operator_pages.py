"""The concierge's own pages: catalogue and pickup points management, the providers' round."""
import pytest
from sqlalchemy import func, select

from coopserv.plugin_api import db
from coopserv_plugins.concierge.models import CatalogItem, PickupSlot, Provider


@pytest.fixture
def operator(make_client, figeac):
    client = make_client()
    client.login(figeac.operator)
    return client


def _count(scoped, territory, model):
    with scoped(territory):
        return db.session.scalar(select(func.count()).select_from(model))


def test_operator_adds_a_provider_and_a_priced_item(operator, figeac, scoped):
    assert operator.post_form("/t/figeac/concierge/manage/provider",
                              {"name": "Cordonnerie Figeacoise", "category": "shoe_repair"}).status_code == 302
    with scoped(figeac.territory):
        provider = db.session.scalar(select(Provider).filter_by(name="Cordonnerie Figeacoise"))
    response = operator.post_form("/t/figeac/concierge/manage/item",
                                  {"provider_id": provider.id, "name": "Talons", "price": "14.50", "unit": "la paire"})
    assert response.status_code == 302
    with scoped(figeac.territory):
        item = db.session.scalar(select(CatalogItem).filter_by(name="Talons"))
        assert item.price_cents == 1450 and item.provider_id == provider.id
    page = operator.get("/t/figeac/concierge/manage").get_data(as_text=True)
    assert "Talons" in page and "Cordonnerie Figeacoise" in page


@pytest.mark.parametrize("form, data, field", [
    ("item", {"provider_id": "1", "name": "Talons", "price": "-3"}, "price"),
    ("item", {"provider_id": "999", "name": "Talons", "price": "3"}, "provider_id"),
    ("slot", {"pickup_point_id": "1", "weekday": "1", "starts_at": "14:00", "ends_at": "11:30"}, "ends_at"),
    ("slot", {"pickup_point_id": "1", "weekday": "9", "starts_at": "11:00", "ends_at": "12:00"}, "weekday"),
    ("provider", {"name": "", "category": "pressing"}, "name"),
    ("provider", {"name": "Pressing", "category": "casino"}, "category"),
])
def test_bad_catalogue_input_is_a_field_error_and_stores_nothing(operator, figeac, catalogue, scoped, form, data, field):
    before = (_count(scoped, figeac.territory, CatalogItem), _count(scoped, figeac.territory, PickupSlot),
              _count(scoped, figeac.territory, Provider))
    if "provider_id" in data and data["provider_id"] == "1":
        data = dict(data, provider_id=str(catalogue.pressing.id))
    if data.get("pickup_point_id") == "1":
        data = dict(data, pickup_point_id=str(catalogue.point.id))
    response = operator.post_form(f"/t/figeac/concierge/manage/{form}", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    after = (_count(scoped, figeac.territory, CatalogItem), _count(scoped, figeac.territory, PickupSlot),
             _count(scoped, figeac.territory, Provider))
    assert after == before


def test_round_lists_what_to_collect_by_slot(make_client, operator, figeac, catalogue, order_form):
    employee = make_client()
    employee.login(figeac.employee)
    assert employee.post_form("/t/figeac/services/concierge/requests",
                              dict(order_form, **{f"items.{catalogue.suit.id}": "2"})).status_code == 302
    page = operator.get("/t/figeac/concierge/round").get_data(as_text=True)
    assert "Chemise" in page and "Costume" in page and "ZA de l&#39;Aiguille" in page
    other = operator.get(f"/t/figeac/concierge/round?provider={catalogue.pressing.id + 1000}").get_data(as_text=True)
    assert "Chemise" not in other


def test_employees_cannot_reach_operator_pages(make_client, figeac, catalogue):
    employee = make_client()
    employee.login(figeac.employee)
    for path in ("/t/figeac/concierge/manage", "/t/figeac/concierge/round", "/t/figeac/operator/concierge"):
        assert employee.get(path).status_code == 403
    assert employee.post_form("/t/figeac/concierge/manage/provider", {"name": "X", "category": "other"}).status_code == 403
    assert employee.post_form(f"/t/figeac/concierge/items/{catalogue.shirt.id}/toggle").status_code == 403


def test_a_withdrawn_item_cannot_be_ordered(make_client, operator, figeac, catalogue, order_form, scoped):
    assert operator.post_form(f"/t/figeac/concierge/items/{catalogue.shirt.id}/toggle").status_code == 302
    employee = make_client()
    employee.login(figeac.employee)
    response = employee.post_form("/t/figeac/services/concierge/requests", order_form)
    assert response.status_code == 422 and 'id="items-error"' in response.get_data(as_text=True)


def test_order_respects_the_module_configuration(make_client, figeac, catalogue, order_form, enable_module):
    from coopserv.plugin_api import configure_module, territory_scope

    with territory_scope(figeac.territory):
        configure_module(figeac.module, {"max_items_per_order": 2, "allow_notes": False})
    employee = make_client()
    employee.login(figeac.employee)
    response = employee.post_json("/t/figeac/services/concierge/requests", {
        "items": [{"item_id": catalogue.shirt.id, "quantity": 3}], "slot_id": catalogue.tuesday.id,
        "dropoff_date": order_form["dropoff_date"], "notes": "merci"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"items", "notes"}
