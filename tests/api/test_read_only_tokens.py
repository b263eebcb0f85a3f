"""A read-only token reads but never writes: every write operation of the OpenAPI document answers 403."""
import re

import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.network import services as network_services
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.tokens.services import create_platform_token, create_token

WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def tokens(figeac, make_user):
    network = network_services.create_network({"slug": "adefpat", "name": "Réseau ADEFPAT"})
    network_services.add_territory(network, figeac.territory)
    coordinator = make_user(email="coordination@adefpat.example")
    network_services.add_coordinator(network, coordinator)
    with territory_scope(figeac.territory):
        territory_reader = create_token(figeac.admin, figeac.territory, "lecture", read_only=True)[1]
        territory_writer = create_token(figeac.admin, figeac.territory, "écriture")[1]
    network_reader = network_services.create_token(network, coordinator, "lecture", read_only=True)[1]
    operator = make_user(email="ops@coopserv.example", platform_admin=True)
    platform_reader = create_platform_token(operator, "lecture", read_only=True)[1]
    return {"territory": territory_reader, "writer": territory_writer, "network": network_reader,
            "platform": platform_reader}


def _rows_everywhere():
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name == "access_token" or table.name == "network_token":
            continue
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table)
                                               .execution_options(**{ALL_TERRITORIES: True}))
    return counts


def _write_operations(spec):
    found = []
    for path, operations in spec["paths"].items():
        for method in WRITES:
            if method in operations:
                found.append((method, path))
    return found


def test_every_write_operation_refuses_a_read_only_token(client, tokens):
    spec = client.get("/api/v1/openapi.json").get_json()
    writes = _write_operations(spec)
    assert len(writes) >= 20 and ("delete", "/api/v1/territories/{territory_slug}/members/{membership_id}") in writes
    before = _rows_everywhere()
    for method, path in writes:
        if path.startswith("/api/v1/territories/{territory_slug}/"):
            token = tokens["territory"]
        elif path.startswith("/api/v1/networks/{network_slug}/"):
            token = tokens["network"]
        elif path == "/api/v1/networks/":
            token = tokens["platform"]  # creating a network: platform operators' tokens only
        else:
            pytest.fail(f"{method.upper()} {path}: a write outside a territory or a network; decide its token rule")
        url = path.replace("{territory_slug}", "figeac").replace("{network_slug}", "adefpat")
        url = re.sub(r"\{[^}]+\}", "1", url)
        response = client.open(url, method=method.upper(), json={}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, f"{method.upper()} {path} answered {response.status_code}"
        assert "read-only" in response.get_json()["message"]
    assert _rows_everywhere() == before


def test_the_same_calls_with_a_read_and_write_token_get_through(client, tokens):
    response = client.post("/api/v1/territories/figeac/organizations/", json={"name": "Boulangerie du Pont"},
                           headers={"Authorization": f"Bearer {tokens['writer']}"})
    assert response.status_code == 201
    reading = client.get("/api/v1/territories/figeac/organizations/",
                         headers={"Authorization": f"Bearer {tokens['territory']}"})
    assert reading.status_code == 200 and "Boulangerie du Pont" in [o["name"] for o in reading.get_json()]
    network = client.get("/api/v1/networks/adefpat/", headers={"Authorization": f"Bearer {tokens['network']}"})
    assert network.status_code == 200 and network.get_json()["territories"][0]["slug"] == "figeac"


def test_read_only_tokens_are_made_in_the_portal_and_the_cli(app, figeac, make_client, client):
    from flask.cli import ScriptInfo

    from coopserv.cli import main

    person = make_client()
    person.login(figeac.admin)
    page = person.post_form("/t/figeac/settings/tokens/", {"name": "Tableau de bord", "read_only": "on"})
    secret = re.search(r'value="(cps_[^"]+)"', page.get_data(as_text=True)).group(1)
    refused = client.post("/api/v1/territories/figeac/organizations/", json={"name": "Nouvelle"},
                          headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 403
    result = app.test_cli_runner().invoke(main, ["token", "create", figeac.admin.email, "figeac", "--name", "cron",
                                                 "--read-only"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0
    cli_secret = result.output.strip()
    assert client.delete("/api/v1/territories/figeac/members/1",
                         headers={"Authorization": f"Bearer {cli_secret}"}).status_code == 403
