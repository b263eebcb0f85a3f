"""Request references are numbered per territory (#1, #2... in each), even when submitted at once."""
import threading
import time

from coopserv.service_requests import services as request_services
from coopserv.service_requests.models import ServiceRequest
from coopserv.territories.models import Territory
from coopserv_plugins.concierge.tests.conftest import add_catalogue
from tests.helpers import order_payload, place_order, rows


def test_each_territory_numbers_its_requests_from_one(figeac, autun, catalogue):
    autun_catalogue = add_catalogue(autun.territory)
    first = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    elsewhere = place_order(autun.territory, autun.module, autun.employee, autun.company, autun_catalogue)
    second = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    assert (first.reference, second.reference, elsewhere.reference) == ("#1", "#2", "#1")
    counters = {t.slug: t.last_request_number for t in rows(Territory)}
    assert counters == {"figeac": 2, "autun-morvan": 1}


def test_the_reference_is_shown_in_the_employees_list_and_the_notification(make_client, figeac, catalogue, autun):
    autun_catalogue = add_catalogue(autun.territory)
    for _ in range(3):  # Autun's requests take global ids, not Figeac's numbers
        place_order(autun.territory, autun.module, autun.employee, autun.company, autun_catalogue)
    created = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    employee = make_client()
    employee.login(figeac.employee)
    page = employee.get("/t/figeac/requests").get_data(as_text=True)
    assert f'/requests/{created.id}">#1</a>' in page
    assert "Votre demande #1 a bien été reçue." in employee.get("/t/figeac/notifications").get_data(as_text=True)


def test_simultaneous_requests_get_distinct_consecutive_numbers(make_client, figeac, catalogue, make_user, monkeypatch):
    people = [figeac.employee] + [make_user(figeac.territory, "employee", figeac.aero) for _ in range(3)]
    clients = []
    for person in people:
        client = make_client()
        client.login(person)
        client.csrf_token()
        clients.append(client)

    notify = request_services.notify

    def slow_notify(*args, **kwargs):
        """Linger between numbering (flush) and commit: other submissions must wait, not reuse the number."""
        result = notify(*args, **kwargs)
        time.sleep(0.2)
        return result

    monkeypatch.setattr(request_services, "notify", slow_notify)
    payload = order_payload(catalogue)  # read here: rows expire and threads have no application context
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def submit(index):
        barrier.wait()
        responses[index] = clients[index].post_json("/t/figeac/services/concierge/requests", payload)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [201] * len(clients), [r.get_data(as_text=True)[:300] for r in responses]
    numbers = sorted(r.number for r in rows(ServiceRequest))
    assert numbers == list(range(1, len(clients) + 1))
    assert rows(Territory, slug="figeac")[0].last_request_number == len(clients)
