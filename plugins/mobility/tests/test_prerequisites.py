"""Carpooling is offered once the territory has a business park and a town."""
from coopserv_plugins.mobility.models import BusinessPark, Town

from coopserv.plugin_api import db, territory_scope
from coopserv.testing import prerequisite_checklist, service_offered


def test_mobility_waits_for_a_business_park_and_a_town(make_client, figeac):
    admin, employee = make_client(), make_client()
    admin.login(figeac.admin)
    employee.login(figeac.employee)
    todo, done, page = prerequisite_checklist(admin, "figeac", "mobility")
    # Each item links to the places form, which comes back to the service page.
    assert (todo, done) == (2, 0)
    assert page.count('href="/t/figeac/mobility/places?next=/t/figeac/admin/modules/mobility#') == 2
    assert not service_offered(employee, "figeac")
    assert employee.get("/t/figeac/mobility/").status_code == 403

    with territory_scope(figeac.territory):
        db.session.add(BusinessPark(name="ZA de l'Aiguille", latitude=44.6, longitude=2.03))
        db.session.commit()
    assert prerequisite_checklist(admin, "figeac", "mobility")[:2] == (1, 1)
    assert not service_offered(employee, "figeac")

    with territory_scope(figeac.territory):
        db.session.add(Town(name="Capdenac", latitude=44.57, longitude=2.07))
        db.session.commit()
    assert prerequisite_checklist(admin, "figeac", "mobility")[:2] == (0, 2)
    assert service_offered(employee, "figeac")


def test_another_territorys_parks_and_towns_do_not_count(make_client, figeac, ouest):
    admin = make_client()
    admin.login(figeac.admin)
    assert prerequisite_checklist(admin, "figeac", "mobility")[:2] == (2, 0)
