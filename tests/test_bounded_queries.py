"""List pages cost a fixed number of SQL queries, however many requests there are."""
import pytest

from tests.helpers import place_order


def _fill(figeac, catalogue, count):
    for number in range(count):
        employee = figeac.employee if number % 2 else figeac.colleague
        organization = figeac.aero if number % 2 else figeac.menuiserie
        place_order(figeac.territory, figeac.module, employee, organization, catalogue)


def _queries(count_queries, client, url):
    client.get(url)  # warm caches (templates, translations)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize(("user", "url"), [("operator", "/t/figeac/operator/concierge"),
                                           ("employee", "/t/figeac/"),
                                           ("employee", "/t/figeac/requests"),
                                           ("employee", "/t/figeac/notifications")])
def test_page_queries_do_not_grow_with_requests(make_client, count_queries, figeac, catalogue, user, url):
    client = make_client()
    client.login(getattr(figeac, user))
    _fill(figeac, catalogue, 3)
    few = _queries(count_queries, client, url)
    _fill(figeac, catalogue, 27)
    many = _queries(count_queries, client, url)
    assert few == many, f"{url}: {few} queries with 3 requests, {many} with 30"
