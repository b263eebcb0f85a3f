"""Fixtures: coopserv's pytest plugin gives app, make_territory, make_user, enable_module, make_client..."""
from types import SimpleNamespace

import pytest

from coopserv.plugin_api import db, territory_scope


@pytest.fixture
def place(make_territory, make_organization, make_user, enable_module):
    """A territory with the service open to all, an employee, an operator and one resource."""
    from coopserv_coworking.models import Resource

    territory = make_territory("coworking-land", "Coworking desks Land")
    company = make_organization(territory, "Coop & Co", employee_count=20)
    module = enable_module(territory, "coworking", stage="perennial")
    with territory_scope(territory):
        resource = Resource(name="Room A")
        db.session.add(resource)
        db.session.commit()
    return SimpleNamespace(
        territory=territory, company=company, module=module, resource=resource,
        employee=make_user(territory, "employee", company),
        operator=make_user(territory, "service_operator", module=module),
    )
