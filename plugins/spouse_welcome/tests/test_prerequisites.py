"""Spouse welcome is offered once a welcome referent (an operator of the service) can receive cases."""
from coopserv.testing import prerequisite_checklist, service_offered


def test_spouse_welcome_waits_for_a_welcome_referent(make_client, make_territory, make_organization, make_user,
                                                     enable_module, figeac):
    territory = make_territory("cahors", "Cahors")
    company = make_organization(territory, "Quercy Bois")
    module = enable_module(territory, "spouse_welcome")
    admin, employee = make_client(), make_client()
    admin.login(make_user(territory, "territory_admin"))
    employee.login(make_user(territory, "employee", company))
    todo, done, page = prerequisite_checklist(admin, "cahors", "spouse_welcome")
    assert (todo, done) == (1, 0) and 'href="/t/cahors/admin/members"' in page
    assert not service_offered(employee, "cahors")  # Figeac's referent does not count here

    make_user(territory, "service_operator", module=module)
    assert prerequisite_checklist(admin, "cahors", "spouse_welcome")[:2] == (0, 1)
    assert service_offered(employee, "cahors")
