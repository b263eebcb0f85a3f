"""Several people taking the last seat at the same moment: exactly one gets it."""
import threading
import time

from coopserv_plugins.iot_training import services

from .conftest import add_session, status_of


def test_last_seat_goes_to_exactly_one_of_several_simultaneous_enrolments(login, autun, course, monkeypatch):
    session_id = add_session(autun.territory, course, capacity=1, minimum=1).id
    people = [autun.employee, autun.colleague, autun.other, autun.referent]
    clients = [login(person) for person in people]
    for client in clients:
        client.csrf_token()

    counted = services.seated_count

    def slow_count(session_id):
        """Count, then linger: without the row lock, every request would see the seat free."""
        result = counted(session_id)
        time.sleep(0.2)
        return result

    monkeypatch.setattr(services, "seated_count", slow_count)
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def enrol(index):
        barrier.wait()
        responses[index] = clients[index].post_json("/t/autun-morvan/services/iot_training/requests",
                                                    {"session_id": session_id})

    threads = [threading.Thread(target=enrol, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [201] * len(clients), [r.get_data(as_text=True)[:300] for r in responses]
    statuses = sorted(status_of(r.get_json()["id"]) for r in responses)
    assert statuses == ["enrolled"] + ["waiting_list"] * (len(clients) - 1)
