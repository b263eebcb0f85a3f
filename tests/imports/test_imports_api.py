"""The imports through the API: the same preview, line errors, one-time apply and invitations as the pages."""
import io

from coopserv.imports.models import ImportBatch
from coopserv.invitations.models import Invitation
from coopserv.organizations.models import Organization
from coopserv.tenancy import territory_scope
from coopserv.tokens.services import create_token
from tests.helpers import count_rows

BASE = "/api/v1/territories/figeac/imports/"
ORGANIZATIONS = "Nom;SIRET;Effectif\nQuercy Plasturgie;12345678900011;85\nBad Siret SA;1234;10\n"
MEMBERS = "E-mail,Nom,Organisation,Rôle\nnadia@quercy.example,Nadia Roux,Figeac Aéro,salarié\n"


def _token(user, territory, read_only=False):
    with territory_scope(territory):
        return {"Authorization": f"Bearer {create_token(user, territory, 'imports', read_only=read_only)[1]}"}


def _upload(client, headers, kind, text, encoding="utf-8"):
    return client.post(f"{BASE}?kind={kind}", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode(encoding)), "file.csv")})


def test_a_file_is_previewed_with_line_errors_then_applied_once(client, figeac):
    admin = _token(figeac.admin, figeac.territory)
    previewed = _upload(client, admin, "organizations", ORGANIZATIONS, "cp1252")
    assert previewed.status_code == 201, previewed.get_json()
    batch = previewed.get_json()
    assert batch["status"] == "previewed" and batch["summary"]["create"] == 1 and batch["summary"]["errors"] == 1
    assert count_rows(Organization, name="Quercy Plasturgie") == 0
    errors = client.get(f"{BASE}{batch['id']}/errors", headers=admin)
    assert [(e["line"], e["field"]) for e in errors.get_json()] == [(3, "siret")]
    applied = client.post(f"{BASE}{batch['id']}/apply", headers=admin)
    assert applied.status_code == 200 and applied.get_json()["batch"]["result"]["create"] == 1
    assert count_rows(Organization, name="Quercy Plasturgie") == 1
    assert client.post(f"{BASE}{batch['id']}/apply", headers=admin).status_code == 409
    assert client.delete(f"{BASE}{batch['id']}", headers=admin).status_code == 409
    again = _upload(client, admin, "organizations", ORGANIZATIONS).get_json()
    assert again["summary"].get("create", 0) == 0
    assert client.delete(f"{BASE}{again['id']}", headers=admin).status_code == 204
    assert count_rows(ImportBatch, id=again["id"]) == 0


def test_new_members_get_invitations(client, figeac):
    admin = _token(figeac.admin, figeac.territory)
    batch = _upload(client, admin, "members", MEMBERS).get_json()
    applied = client.post(f"{BASE}{batch['id']}/apply", headers=admin).get_json()
    assert applied["batch"]["result"]["invite"] == 1 and applied["invitations_sent"] == 1
    assert count_rows(Invitation, email="nadia@quercy.example") == 1


def test_bad_files_and_wrong_people_are_refused(client, figeac, autun):
    admin = _token(figeac.admin, figeac.territory)
    bad_kind = _upload(client, admin, "robots", ORGANIZATIONS)
    assert bad_kind.status_code == 422 and "kind" in bad_kind.get_json()["errors"]
    no_file = client.post(f"{BASE}?kind=members", headers=admin, content_type="multipart/form-data", data={})
    assert no_file.status_code == 422 and "file" in no_file.get_json()["errors"]
    binary = _upload(client, admin, "members", "email\na\x00b\n")
    assert binary.status_code == 422 and "file" in binary.get_json()["errors"]
    assert _upload(client, _token(figeac.employee, figeac.territory), "members", MEMBERS).status_code == 403
    read_only = _token(figeac.admin, figeac.territory, read_only=True)
    assert _upload(client, read_only, "members", MEMBERS).status_code == 403
    batch = _upload(client, admin, "members", MEMBERS).get_json()
    other = _token(autun.admin, autun.territory)
    assert client.get(f"/api/v1/territories/autun-morvan/imports/{batch['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/territories/autun-morvan/imports/{batch['id']}/apply",
                       headers=other).status_code == 404
    assert count_rows(ImportBatch) == 1 and count_rows(Invitation) == 0
