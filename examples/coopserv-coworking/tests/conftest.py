"""Fixtures: coopserv's pytest plugin gives app, make_peopled_territory, make_world, make_client, frozen_clock..."""
import pytest

from coopserv.plugin_api import db, territory_scope


@pytest.fixture
def place(make_peopled_territory):
    """A territory with the service open to all, people in every role and one resource."""
    from coopserv_coworking.models import Resource

    town = make_peopled_territory("coworking-land", "Coworking desks Land", services=("coworking",))
    with territory_scope(town.territory):
        town.resource = Resource(name="Room A")
        db.session.add(town.resource)
        db.session.commit()
    town.company = town.organizations[0]
    return town
