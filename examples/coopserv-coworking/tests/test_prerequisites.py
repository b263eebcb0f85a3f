"""Desk booking is offered once the coworking space has a desk."""
from coopserv.plugin_api import db, territory_scope
from coopserv.testing import prerequisite_checklist, service_offered


def test_coworking_waits_for_a_desk(make_client, make_user, place):
    from coopserv_coworking.models import Resource

    with territory_scope(place.territory):
        db.session.get(Resource, place.resource.id).active = False
        db.session.commit()
    admin, employee = make_client(), make_client()
    admin.login(make_user(place.territory, "territory_admin"))
    employee.login(place.employee)
    todo, done, page = prerequisite_checklist(admin, "coworking-land", "coworking")
    assert (todo, done) == (1, 0) and 'href="/t/coworking-land/coworking/manage"' in page
    assert not service_offered(employee, "coworking-land")

    with territory_scope(place.territory):
        db.session.add(Resource(name="Room B"))
        db.session.commit()
    assert prerequisite_checklist(admin, "coworking-land", "coworking")[:2] == (0, 1)
    assert service_offered(employee, "coworking-land")
