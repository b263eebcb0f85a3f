"""The API administers a network with a coordinator's network token: territories, partners, coordinators."""
import pytest

from coopserv.network import access, services
from coopserv.network.models import NetworkAuditEntry, NetworkMember, NetworkPartner, NetworkTerritory
from coopserv.tenancy import territory_scope
from coopserv.tokens.services import create_token
from tests.helpers import count_rows, rows
from tests.network.conftest import login, lot, network  # noqa: F401 - fixtures

BASE = "/api/v1/networks/adefpat"


def _log(network):
    """The network's log, oldest first."""
    return sorted(rows(NetworkAuditEntry, network_id=network.id), key=lambda entry: entry.id)


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def tokens(network):
    with territory_scope(network.figeac.territory):
        figeac_admin = _auth(create_token(network.figeac.admin, network.figeac.territory, "t")[1])
    return {
        "coordinator": _auth(services.create_token(network.network, network.coordinator, "admin")[1]),
        "read_only": _auth(services.create_token(network.network, network.coordinator, "lecture", True)[1]),
        "other_coordinator": _auth(services.create_token(network.other, network.other_coordinator, "x")[1]),
        "figeac_admin": figeac_admin,
    }


def test_coordinators_add_and_remove_member_territories(client, network, tokens):
    setup_entries = len(_log(network.network))
    added = client.post(f"{BASE}/territories", json={"territory": "lot"}, headers=tokens["coordinator"])
    assert added.status_code == 201 and added.get_json()["slug"] == "lot"
    assert network.lot.territory.id in services.territory_ids(network.network)
    assert [t["slug"] for t in client.get(f"{BASE}/", headers=tokens["coordinator"]).get_json()["territories"]] \
        == ["autun-morvan", "figeac", "lot"]
    again = client.post(f"{BASE}/territories", json={"territory": "lot"}, headers=tokens["coordinator"])
    assert again.status_code == 422 and list(again.get_json()["errors"]) == ["territory"]
    unknown = client.post(f"{BASE}/territories", json={"territory": "nowhere"}, headers=tokens["coordinator"])
    assert unknown.status_code == 422 and list(unknown.get_json()["errors"]) == ["territory"]
    missing = client.post(f"{BASE}/territories", json={}, headers=tokens["coordinator"])
    assert missing.status_code == 422 and "territory" in missing.get_json()["errors"]
    assert client.delete(f"{BASE}/territories/lot", headers=tokens["coordinator"]).status_code == 204
    assert client.delete(f"{BASE}/territories/lot", headers=tokens["coordinator"]).status_code == 404
    assert network.lot.territory.id not in services.territory_ids(network.network)
    assert [(e.action, e.actor_id) for e in _log(network.network)][setup_entries:] == [
        ("network.territory_added", network.coordinator.id), ("network.territory_removed", network.coordinator.id)]


def test_partners_through_the_api(client, network, tokens):
    created = client.post(f"{BASE}/partners", json={"name": "Cap Rural", "role": "co_organiser"},
                          headers=tokens["coordinator"])
    assert created.status_code == 201
    body = created.get_json()
    assert (body["name"], body["role"], body["description"]) == ("Cap Rural", "co_organiser", "")
    listed = client.get(f"{BASE}/partners", headers=tokens["coordinator"]).get_json()
    assert [p["name"] for p in listed] == ["ADEFPAT", "ARADEL", "Cap Rural"]
    bad = client.post(f"{BASE}/partners", json={"name": "", "role": "chef"}, headers=tokens["coordinator"])
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"name", "role"}
    assert client.delete(f"{BASE}/partners/{body['id']}", headers=tokens["coordinator"]).status_code == 204
    other = services.add_partner(network.other, "Parc des Causses")
    assert client.delete(f"{BASE}/partners/{other.id}", headers=tokens["coordinator"]).status_code == 404
    assert count_rows(NetworkPartner, network_id=network.network.id) == 2


def test_coordinators_through_the_api_and_the_last_one_stays(client, network, tokens, make_user):
    newcomer = make_user(name="Chargée de mission", email="mission@aradel.example")
    named = client.post(f"{BASE}/coordinators", json={"email": newcomer.email, "partner_id": network.aradel.id},
                        headers=tokens["coordinator"])
    assert named.status_code == 201
    assert (named.get_json()["email"], named.get_json()["partner_id"]) == (newcomer.email, network.aradel.id)
    assert access.is_coordinator(network.network, newcomer)
    unknown = client.post(f"{BASE}/coordinators", json={"email": "personne@nulle.part"},
                          headers=tokens["coordinator"])
    assert unknown.status_code == 422 and list(unknown.get_json()["errors"]) == ["email"]
    invalid = client.post(f"{BASE}/coordinators", json={"email": "pas une adresse"}, headers=tokens["coordinator"])
    assert invalid.status_code == 422 and "email" in invalid.get_json()["errors"]
    listed = client.get(f"{BASE}/coordinators", headers=tokens["coordinator"]).get_json()
    assert [c["email"] for c in listed] == ["coordination@adefpat.example", newcomer.email]
    assert client.delete(f"{BASE}/coordinators/{named.get_json()['id']}", headers=tokens["coordinator"]).status_code \
        == 204
    [last] = rows(NetworkMember, network_id=network.network.id)
    refused = client.delete(f"{BASE}/coordinators/{last.id}", headers=tokens["coordinator"])
    assert refused.status_code == 409 and refused.get_json()["message"]
    assert count_rows(NetworkMember, network_id=network.network.id) == 1


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/territories", {"territory": "lot"}), ("delete", "/territories/figeac", None),
    ("get", "/partners", None), ("post", "/partners", {"name": "Intrus"}), ("delete", "/partners/1", None),
    ("get", "/coordinators", None), ("post", "/coordinators", {"email": "admin@lot.example"}),
    ("delete", "/coordinators/1", None)])
def test_only_coordinators_with_a_writing_token_administer(client, network, tokens, method, path, body):
    before = (count_rows(NetworkTerritory), count_rows(NetworkPartner), count_rows(NetworkMember))
    call = getattr(client, method)
    kwargs = {"json": body} if body is not None else {}
    assert call(f"{BASE}{path}", **kwargs).status_code == 401
    for name in ("other_coordinator", "figeac_admin") + (("read_only",) if method != "get" else ()):
        assert call(f"{BASE}{path}", headers=tokens[name], **kwargs).status_code == 403, name
    assert (count_rows(NetworkTerritory), count_rows(NetworkPartner), count_rows(NetworkMember)) == before


def test_the_operations_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= set(spec["/api/v1/networks/{network_slug}/territories"])
    assert "delete" in spec["/api/v1/networks/{network_slug}/territories/{member_slug}"]
    assert {"get", "post"} <= set(spec["/api/v1/networks/{network_slug}/partners"])
    assert {"get", "post"} <= set(spec["/api/v1/networks/{network_slug}/coordinators"])
    assert "409" in spec["/api/v1/networks/{network_slug}/coordinators/{coordinator_id}"]["delete"]["responses"]
