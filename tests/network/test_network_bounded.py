"""A network's indicator pages cost the same statements with 2 member territories as with 6."""
import pytest

from coopserv.extensions import db
from coopserv.tenancy import territory_scope

from coopserv.timeutil import utcnow
from tests.helpers import text_of

#: A rollup of a plugin's requests and one of the core's own indicators.
SHARED = ("concierge.orders", "needs.expressed")
#: Plugins' medians and smart parking's SELECTs, which name their territory.
SELECTS = ("spouse_welcome.median_days_to_first_introduction", "childminder_house.median_waiting_days",
           "smart_parking.turnover", "smart_parking.reservations_honoured")


@pytest.fixture
def growing_network(request, make_territory, make_organization, make_user, enable_module):
    """A network and a way to add member territories sharing SHARED (or the fixture's parameter), each with a
    company and a need."""
    from coopserv.indicators.services import set_sharing
    from coopserv.needs import services as needs
    from coopserv.network import services

    shared = getattr(request, "param", SHARED)
    services_needed = ["concierge"] + sorted({key.split(".")[0] for key in shared} - {"concierge", "needs"})

    network = services.create_network({"slug": "massif", "name": "Réseau du Massif"})
    coordinator = make_user(name="Coordination", email="coordination@massif.example")
    services.add_coordinator(network, coordinator)
    names = []

    def add(count):
        for _ in range(count):
            number = len(names)
            territory = make_territory(f"membre-{number}", f"Membre {number}")
            company = make_organization(territory, f"Entreprise {number}", employee_count=100)
            employee = make_user(territory, "employee", company, email=f"salarie{number}@massif.example")
            for service_key in services_needed:
                enable_module(territory, service_key, stage="perennial")
            with territory_scope(territory):
                needs.ensure_categories()
                for _need in range(number + 1):
                    needs.submit_need({"title": "Une navette", "description": "Le matin.",
                                       "category_id": needs.category_by_key("mobility").id,
                                       "employees_affected": 1}, employee, company, False)
                for key in shared:
                    set_sharing(key, compare=True, public=False)
            services.add_territory(network, territory)
            names.append(territory.name)
        db.session.commit()
        return list(names)

    return network, coordinator, add


def _counter(client, count_queries):
    """``statements(path)``: the statements of a second view of ``path`` (the first warms caches) and its text."""
    def statements(path):
        client.get(path)
        with count_queries() as run:
            response = client.get(path)
        assert response.status_code == 200, path
        return len(run), text_of(response)

    return statements


def _same_with_two_and_six(add, paths, statements):
    """Each page costs as many statements with 2 members as with 6 (and at most 12), and shows all six."""
    add(2)
    two = {path: statements(path)[0] for path in paths}
    names = add(4)
    six = {}
    for path in paths:
        six[path], page = statements(path)
        assert all(name in page for name in names), path
    assert two == six
    assert max(six.values()) <= 12, six


def test_network_indicator_pages_do_not_grow_with_member_territories(growing_network, login, count_queries):
    network, coordinator, add = growing_network
    client = login(coordinator)
    month = utcnow().strftime("%Y-%m")
    # The current month has no snapshot: every value is read live, the case that used to cost one per territory.
    paths = [f"/n/massif/indicators/{key}?start={month}&end={month}" for key in SHARED]
    paths.append(f"/n/massif/indicators?month={month}")

    statements = _counter(client, count_queries)
    _same_with_two_and_six(add, paths, statements)
    # Member k submitted k + 1 needs for its 100 employees: the needs compared are each territory's own.
    page = statements(paths[1])[1]
    assert "60" in page  # the sixth member: 6 needs per 100 employees is 60 per 1,000


@pytest.mark.parametrize("growing_network", [SELECTS], indirect=True)
def test_plugins_selects_naming_their_territory_do_not_grow_with_members(growing_network, login, count_queries):
    """Indicators written as SELECTs naming their territory (plugins' medians, smart parking's): one statement
    for every member's figure, with 2 members as with 6."""
    network, coordinator, add = growing_network
    client = login(coordinator)
    month = utcnow().strftime("%Y-%m")
    paths = [f"/n/massif/indicators/{key}?start={month}&end={month}" for key in SELECTS]

    _same_with_two_and_six(add, paths, _counter(client, count_queries))
