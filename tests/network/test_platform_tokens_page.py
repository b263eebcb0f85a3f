"""Platform operators make and revoke platform tokens at /networks/tokens; nobody else reaches the page."""
import re

from coopserv.tokens.models import PlatformToken
from coopserv.tokens.services import digest
from tests.helpers import count_rows, rows
from tests.network.conftest import login, lot, network  # noqa: F401 - fixtures


def test_only_platform_operators_make_platform_tokens(client, network, login, make_user):
    assert client.get("/networks/tokens").status_code == 302
    for person in (network.coordinator, network.figeac.admin):
        other = login(person)
        assert other.get("/networks/tokens").status_code == 403
        assert other.post_form("/networks/tokens", {"name": "provisioning"}).status_code == 403
    assert count_rows(PlatformToken) == 0
    assert 'href="/networks/tokens"' not in login(network.coordinator).get("/").get_data(as_text=True)

    operator = make_user(name="Exploitante", email="ops@coopserv.example", platform_admin=True)
    admin = login(operator)
    assert 'href="/networks/tokens"' in admin.get("/").get_data(as_text=True)
    assert admin.get("/networks/tokens").status_code == 200
    refused = admin.post_form("/networks/tokens", {"name": "x"})
    assert refused.status_code == 422 and 'id="name-error"' in refused.get_data(as_text=True)
    assert count_rows(PlatformToken) == 0

    made = admin.post_form("/networks/tokens", {"name": "provisioning", "read_only": "on"})
    assert made.status_code == 200
    secret = re.search(r'value="(cpp_[^"]+)"', made.get_data(as_text=True)).group(1)
    [token] = rows(PlatformToken)
    assert token.token_hash == digest(secret) and token.read_only and token.user_id == operator.id
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/networks/", headers=headers).status_code == 200
    # The secret is shown once: the list shows its first characters only.
    page = admin.get("/networks/tokens").get_data(as_text=True)
    assert secret not in page and token.prefix in page

    other_operator = login(make_user(email="autre-ops@coopserv.example", platform_admin=True))
    assert other_operator.post_form(f"/networks/tokens/{token.id}/revoke", {}).status_code == 404
    assert admin.post_form(f"/networks/tokens/{token.id}/revoke", {}).status_code == 302
    assert client.get("/api/v1/networks/", headers=headers).status_code == 401
