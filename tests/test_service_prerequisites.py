"""Service prerequisites: a service is offered to employees only once what it needs exists.

The concierge declares a provider, an item and a pickup slot; these tests drive
the core's side (admin checklist, portal, service page, refusal) through it.
"""
from coopserv.modules.services import availability, prerequisites
from coopserv.service_requests.models import ServiceRequest
from coopserv.tenancy import territory_scope
from coopserv_plugins.concierge.tests.conftest import add_catalogue
from tests.helpers import count_rows, text_of

NOT_YET = "Ce service n’est pas encore disponible : il est en cours de mise en place."


def test_a_service_without_its_prerequisites_is_not_offered_and_says_why(make_client, figeac, order_form_without_catalogue):
    employee = make_client()
    employee.login(figeac.employee)
    home = text_of(employee.get("/t/figeac/"))
    assert NOT_YET in home
    assert "/t/figeac/services/concierge" not in home  # no "make a request" link
    assert "Visible par vous seul" not in home  # the admin's note is for admins only

    page = text_of(employee.get("/t/figeac/services/concierge"))
    assert NOT_YET in page and 'name="slot_id"' not in page

    refused = employee.post_form("/t/figeac/services/concierge/requests", order_form_without_catalogue)
    assert refused.status_code == 403 and NOT_YET in text_of(refused)
    api = employee.post_json("/t/figeac/services/concierge/requests", {"items": []})
    assert api.status_code == 403 and api.get_json()["message"] == NOT_YET
    assert count_rows(ServiceRequest) == 0


def test_the_admin_sees_the_checklist_with_links_and_what_is_missing(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    page = text_of(admin.get("/t/figeac/admin/modules/concierge"))
    assert "Avant que les salariés puissent l’utiliser" in page
    assert "Il manque encore 3 éléments" in page
    for label in ("Un prestataire", "Une prestation proposée par un prestataire", "Un créneau de retrait"):
        assert label in page
    assert page.count('href="/t/figeac/concierge/manage"') == 3
    assert page.count("À faire :") == 3

    home = text_of(admin.get("/t/figeac/"))
    assert NOT_YET in home and "Visible par vous seul" in home and "Un prestataire" in home
    assert 'href="/t/figeac/admin/modules/concierge"' in home


def test_meeting_the_prerequisites_opens_the_service(make_client, figeac):
    with territory_scope(figeac.territory):
        assert [item.met for item in prerequisites(figeac.module)] == [False, False, False]
    add_catalogue(figeac.territory)
    with territory_scope(figeac.territory):
        assert [item.met for item in prerequisites(figeac.module)] == [True, True, True]
        assert availability(figeac.module, figeac.aero).allowed

    admin = make_client()
    admin.login(figeac.admin)
    page = text_of(admin.get("/t/figeac/admin/modules/concierge"))
    assert "Tout ce dont le service a besoin est en place." in page and "À faire :" not in page

    employee = make_client()
    employee.login(figeac.employee)
    home = text_of(employee.get("/t/figeac/"))
    assert NOT_YET not in home and 'href="/t/figeac/services/concierge"' in home


def test_prerequisites_are_counted_in_the_territory_only(figeac, autun):
    """Autun's catalogue does not open Figeac's concierge."""
    add_catalogue(autun.territory)
    with territory_scope(figeac.territory):
        assert not any(item.met for item in prerequisites(figeac.module))
    with territory_scope(autun.territory):
        assert all(item.met for item in prerequisites(autun.module))


def test_a_withdrawn_item_no_longer_counts(figeac):
    from coopserv.extensions import db

    catalogue = add_catalogue(figeac.territory)
    with territory_scope(figeac.territory):
        catalogue.shirt.active = False
        catalogue.suit.active = False
        db.session.commit()
        assert [item.met for item in prerequisites(figeac.module)] == [True, False, True]
        assert not availability(figeac.module, figeac.aero).allowed


import pytest  # noqa: E402


@pytest.fixture
def order_form_without_catalogue():
    """An order as a browser would post it, although nothing is offered yet."""
    return {"items.1": "2", "slot_id": "1", "dropoff_date": "2030-01-08"}
