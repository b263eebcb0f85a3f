"""Platform operators create and list networks through the API with a platform token; no other token may."""
import pytest
from flask.cli import ScriptInfo

from coopserv.cli import main
from coopserv.network import access
from coopserv.network import services as networks
from coopserv.network.models import Network, NetworkAuditEntry
from coopserv.tenancy import territory_scope
from coopserv.tokens.models import PlatformToken
from coopserv.tokens.services import create_platform_token, create_token, digest
from tests.helpers import count_rows, rows

URL = "/api/v1/networks/"


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def operator(make_user):
    return make_user(name="Opératrice de la plateforme", email="ops@coopserv.example", platform_admin=True)


@pytest.fixture
def platform(operator):
    return _auth(create_platform_token(operator, "provisioning")[1])


def test_a_platform_token_creates_a_network_as_the_web_form_does(client, operator, platform):
    created = client.post(URL, json={"slug": "adefpat", "name": "Réseau ADEFPAT", "description": "Quatre territoires"},
                          headers=platform)
    assert created.status_code == 201
    assert {k: created.get_json()[k] for k in ("slug", "name", "description")} == {
        "slug": "adefpat", "name": "Réseau ADEFPAT", "description": "Quatre territoires"}
    [network] = rows(Network)
    [entry] = rows(NetworkAuditEntry, network_id=network.id)
    assert (entry.action, entry.actor_id) == ("network.created", operator.id)
    # The operator coordinates every network: a network token takes it from here.
    assert access.is_coordinator(network, operator)
    client.post(URL, json={"slug": "causses", "name": "Causses et Ségala"}, headers=platform)
    listed = client.get(URL, headers=platform)
    assert listed.status_code == 200
    assert [n["slug"] for n in listed.get_json()] == ["causses", "adefpat"]  # by name
    assert '"total": 2' in listed.headers["X-Pagination"]


@pytest.mark.parametrize(("body", "fields"), [
    ({"slug": "Réseau ADEFPAT", "name": "Réseau"}, {"slug"}), ({"name": "Réseau"}, {"slug"}),
    ({"slug": "adefpat", "name": "R"}, {"name"}), ({"slug": "adefpat", "name": "Réseau\x07"}, {"name"}),
    ({"slug": "a" * 61, "name": "Réseau", "description": "x" * 4001}, {"slug", "description"})])
def test_bad_networks_get_field_errors_and_nothing_is_stored(client, platform, body, fields):
    answer = client.post(URL, json=body, headers=platform)
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == fields
    assert count_rows(Network) == 0


def test_a_slug_in_use_is_a_field_error(client, platform):
    networks.create_network({"slug": "adefpat", "name": "Réseau ADEFPAT"})
    answer = client.post(URL, json={"slug": "adefpat", "name": "Autre"}, headers=platform)
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == ["slug"]
    assert count_rows(Network) == 1


def test_territory_and_network_tokens_are_refused_and_platform_tokens_open_nothing_else(
        client, figeac, operator, platform, make_user):
    network = networks.create_network({"slug": "adefpat", "name": "Réseau ADEFPAT"})
    networks.add_territory(network, figeac.territory)
    coordinator = make_user(email="coordination@adefpat.example")
    networks.add_coordinator(network, coordinator)
    with territory_scope(figeac.territory):
        territory_admin = _auth(create_token(figeac.admin, figeac.territory, "t")[1])
        operators_territory_token = _auth(create_token(operator, figeac.territory, "t")[1])
    network_token = _auth(networks.create_token(network, coordinator, "n")[1])
    operators_network_token = _auth(networks.create_token(network, operator, "n")[1])
    for headers in (territory_admin, operators_territory_token, network_token, operators_network_token):
        assert client.get(URL, headers=headers).status_code == 403
        assert client.post(URL, json={"slug": "causses", "name": "Causses"}, headers=headers).status_code == 403
    assert client.post(URL, json={"slug": "causses", "name": "Causses"}).status_code == 401
    assert client.post(URL, json={"slug": "causses", "name": "Causses"},
                       headers=_auth("cpp_not-a-real-token")).status_code == 401
    assert count_rows(Network) == 1
    # A platform token is refused where a territory's or a network's token is needed.
    assert client.get("/api/v1/territories/figeac/requests/", headers=platform).status_code == 403
    assert client.get("/api/v1/networks/adefpat/", headers=platform).status_code == 403
    # ... while the operator's own tokens of the territory and the network keep working.
    assert client.get("/api/v1/territories/figeac/requests/", headers=operators_territory_token).status_code == 200
    assert client.get("/api/v1/networks/adefpat/", headers=operators_network_token).status_code == 200


def test_read_only_revoked_and_demoted_platform_tokens(client, operator, make_user):
    read_only = _auth(create_platform_token(operator, "lecture", read_only=True)[1])
    assert client.get(URL, headers=read_only).status_code == 200
    assert client.post(URL, json={"slug": "adefpat", "name": "Réseau ADEFPAT"}, headers=read_only).status_code == 403
    token, secret = create_platform_token(operator, "ancien")
    from coopserv.tokens.services import revoke_platform_token

    revoke_platform_token(token)
    assert client.get(URL, headers=_auth(secret)).status_code == 401
    demoted = make_user(email="ancien-ops@coopserv.example", platform_admin=True)
    headers = _auth(create_platform_token(demoted, "x")[1])
    from coopserv.extensions import db

    demoted.is_platform_admin = False
    db.session.commit()
    assert client.post(URL, json={"slug": "adefpat", "name": "Réseau ADEFPAT"}, headers=headers).status_code == 403
    assert count_rows(Network) == 0


def test_the_cli_makes_platform_tokens_for_platform_operators_only(app, client, operator, figeac):
    def run(*args):
        return app.test_cli_runner().invoke(main, ["token", "create", *args], obj=ScriptInfo(create_app=lambda: app))

    made = run(operator.email, "--platform", "--name", "provisioning", "--read-only")
    assert made.exit_code == 0, made.output
    secret = made.output.strip()
    assert secret.startswith("cpp_")
    [token] = rows(PlatformToken)
    assert token.token_hash == digest(secret) and secret not in (token.token_hash, token.prefix)
    assert token.read_only and token.user_id == operator.id
    assert client.get(URL, headers=_auth(secret)).status_code == 200
    for args in ((figeac.admin.email, "--platform", "--name", "x-y"),
                 (operator.email, "figeac", "--platform", "--name", "x-y"),
                 (operator.email, "--platform", "--name", "x"),
                 ("nobody@example.org", "--platform", "--name", "x-y"),
                 (operator.email, "--name", "no-territory")):
        result = run(*args)
        assert result.exit_code == 2 and "Error" in result.output and "Traceback" not in result.output, args
    assert count_rows(PlatformToken) == 1


def test_the_operations_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths[URL])
    assert {"401", "403", "422"} <= set(paths[URL]["post"]["responses"])
