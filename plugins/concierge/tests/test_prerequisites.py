"""The concierge is offered once a provider offers an item and a pickup slot exists."""
from coopserv.testing import prerequisite_checklist, service_offered

from .conftest import add_catalogue


def test_concierge_waits_for_a_provider_an_item_and_a_pickup_slot(make_client, figeac, autun):
    admin, employee = make_client(), make_client()
    admin.login(figeac.admin)
    employee.login(figeac.employee)
    add_catalogue(autun.territory)  # another territory's catalogue counts for nothing here
    todo, done, page = prerequisite_checklist(admin, "figeac", "concierge")
    assert (todo, done) == (3, 0) and page.count('href="/t/figeac/concierge/manage"') == 3
    assert not service_offered(employee, "figeac")

    add_catalogue(figeac.territory)
    assert prerequisite_checklist(admin, "figeac", "concierge")[:2] == (0, 3)
    assert service_offered(employee, "figeac")
