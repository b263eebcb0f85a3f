"""A territory admin reads and chooses the public-page settings through the API, with the admin page's rules."""
import pytest

from coopserv.audit.models import AuditEntry
from coopserv.public import services
from coopserv.public.models import PublicationSettings
from coopserv.tenancy import territory_scope
from coopserv.tokens.services import create_token
from tests.helpers import count_rows, rows

URL = "/api/v1/territories/figeac/public-settings/"


def _auth(user, territory, read_only=False):
    with territory_scope(territory):
        return {"Authorization": f"Bearer {create_token(user, territory, 't', read_only)[1]}"}


@pytest.fixture
def admin(figeac):
    return _auth(figeac.admin, figeac.territory)


def test_nothing_is_published_until_an_admin_chooses(client, figeac, admin):
    answer = client.get(URL, headers=admin)
    assert answer.status_code == 200
    assert answer.get_json() == {"services": False, "needs": False, "projects": False, "events": False,
                                 "introduction": ""}


def test_an_admin_publishes_sections_and_the_public_pages_follow(client, figeac, admin):
    answer = client.put(URL, json={"services": True, "projects": True, "introduction": "Le Grand-Figeac."},
                        headers=admin)
    assert answer.status_code == 200
    assert answer.get_json() == {"services": True, "needs": False, "projects": True, "events": False,
                                 "introduction": "Le Grand-Figeac."}
    assert client.get("/t/figeac/public/projects").status_code == 200
    assert client.get("/t/figeac/public/needs").status_code == 404
    with territory_scope(figeac.territory):
        assert services.settings().projects is True
    [entry] = rows(AuditEntry, territory_id=figeac.territory.id, action="public.settings_changed")
    assert entry.actor_id == figeac.admin.id and entry.details["projects"] is True
    # The body is the whole settings, as on the admin page: what is left out is unpublished.
    assert client.put(URL, json={"needs": True}, headers=admin).get_json()["projects"] is False


@pytest.mark.parametrize("body", [{"introduction": "x" * 301}, {"services": "peut-être"},
                                  {"introduction": "ligne\x07"}, {"needs": [1]}])
def test_bad_settings_get_field_errors_and_nothing_is_stored(client, figeac, admin, body):
    answer = client.put(URL, json=body, headers=admin)
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == set(body)
    assert count_rows(PublicationSettings) == 0


def test_only_the_territorys_admins_change_them(client, figeac, autun):
    for headers in (_auth(figeac.employee, figeac.territory), _auth(figeac.referent, figeac.territory)):
        assert client.get(URL, headers=headers).status_code == 403
        assert client.put(URL, json={"services": True}, headers=headers).status_code == 403
    read_only = _auth(figeac.admin, figeac.territory, read_only=True)
    assert client.get(URL, headers=read_only).status_code == 200
    assert client.put(URL, json={"services": True}, headers=read_only).status_code == 403
    autun_admin = _auth(autun.admin, autun.territory)
    assert client.put(URL, json={"services": True}, headers=autun_admin).status_code == 403
    assert client.put(URL, json={"services": True}).status_code == 401
    assert count_rows(PublicationSettings) == 0


def test_the_operations_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/territories/{territory_slug}/public-settings/"])
