"""Pages cost the same number of queries whatever the number of courses, sessions and people."""
from .conftest import PREFIX, add_course, add_session, enrol


def _queries(count_queries, client, url):
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_catalogue_and_coordinator_pages_have_bounded_queries(login, autun, count_queries):
    employee, operator = login(autun.employee), login(autun.operator)
    course = add_course(autun.territory)
    first = add_session(autun.territory, course, minimum=1)
    enrol(employee, first.id)
    urls = [f"{PREFIX}/", f"{PREFIX}/manage", f"{PREFIX}/sessions/{first.id}"]
    before = {url: _queries(count_queries, operator if "manage" in url or "sessions" in url else employee, url)
              for url in urls}
    for n in range(3):
        other = add_session(autun.territory, add_course(autun.territory, f"Cours {n}"), minimum=1)
        enrol(employee, other.id)
    enrol(login(autun.colleague), first.id)
    enrol(login(autun.other), first.id)
    after = {url: _queries(count_queries, operator if "manage" in url or "sessions" in url else employee, url)
             for url in urls}
    assert after == before
