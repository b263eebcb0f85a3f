"""Territory admins import organizations and members: preview first, nothing written until confirmed, idempotent."""
import glob
import io
import os
import re
from email import message_from_string

import pytest
from sqlalchemy import select

from coopserv.accounts.models import Membership
from coopserv.extensions import db
from coopserv.imports.models import ImportBatch
from coopserv.invitations.models import Invitation
from coopserv.organizations.models import Organization
from coopserv.tenancy import territory_scope
from tests.helpers import count_rows, rows, text_of

ORGANIZATIONS = """Nom;SIRET;Effectif;Secteur;Adresse;Type
Quercy Plasturgie;12345678900011;85;Plasturgie;ZA du Mas de Jouy, Gourdon;entreprise
Figeac Aéro;38025384100021;1250;Aéronautique;ZA de l'Aiguille;entreprise
Mairie de Capdenac;21460042500015;40;Collectivité;;collectivité
Bad Siret SA;1234;10;;;
;99999999999999;3;;;
Doublon SARL;12345678900011;5;;;
"""


def _upload(client, slug, kind, text, encoding="utf-8", filename="file.csv"):
    return client.post(f"/t/{slug}/admin/imports/", data={
        "csrf_token": client.csrf_token(), "kind": kind,
        "file": (io.BytesIO(text.encode(encoding)), filename)}, content_type="multipart/form-data")


def _batch_id(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


@pytest.fixture
def admin(figeac, make_client):
    client = make_client()
    client.login(figeac.admin)
    return client


def _organizations(territory):
    with territory_scope(territory):
        return {o.name: o for o in db.session.scalars(select(Organization))}


def test_preview_lists_line_errors_and_writes_nothing_but_the_preview(figeac, admin):
    before = count_rows(Organization)
    admin.post_form("/language", {"lang": "en", "next": "/"})
    batch_id = _batch_id(_upload(admin, "figeac", "organizations", ORGANIZATIONS))
    assert count_rows(Organization) == before
    page = text_of(admin.get(f"/t/figeac/admin/imports/{batch_id}"))
    for line, problem in ((5, "14 digits"), (6, "required"), (7, "already on line 2")):
        assert re.search(rf"<td>{line}</td><td>\w+</td><td>[^<]*{problem}", page.replace("\n", "")), (line, problem)
    with territory_scope(figeac.territory):
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.summary == {"create": 2, "update": 1, "unchanged": 0, "invite": 0, "grant": 0, "errors": 3}


def test_confirming_creates_and_updates_then_a_second_import_changes_nothing(figeac, admin):
    batch_id = _batch_id(_upload(admin, "figeac", "organizations", ORGANIZATIONS))
    assert admin.post_form(f"/t/figeac/admin/imports/{batch_id}/apply").status_code == 302
    organizations = _organizations(figeac.territory)
    assert organizations["Quercy Plasturgie"].employee_count == 85
    assert organizations["Quercy Plasturgie"].size_band == "50-249"
    assert organizations["Mairie de Capdenac"].kind == "local_authority"
    # Figeac Aéro existed (same name, no SIRET yet): it got its SIRET and headcount, not a twin.
    assert organizations["Figeac Aéro"].id == figeac.aero.id
    assert (organizations["Figeac Aéro"].siret, organizations["Figeac Aéro"].employee_count) == ("38025384100021", 1250)
    assert "Bad Siret SA" not in organizations and "Doublon SARL" not in organizations
    assert admin.post_form(f"/t/figeac/admin/imports/{batch_id}/apply").status_code == 302  # applied once only
    assert len(_organizations(figeac.territory)) == len(organizations)

    again = _batch_id(_upload(admin, "figeac", "organizations", ORGANIZATIONS))
    with territory_scope(figeac.territory):
        assert db.session.get(ImportBatch, again).summary["unchanged"] == 3
    admin.post_form(f"/t/figeac/admin/imports/{again}/apply")
    assert _organizations(figeac.territory).keys() == organizations.keys()

    renamed = ORGANIZATIONS.replace("Quercy Plasturgie;12345678900011;85", "Quercy Plastiques;12345678900011;90")
    third = _batch_id(_upload(admin, "figeac", "organizations", renamed))
    admin.post_form(f"/t/figeac/admin/imports/{third}/apply")
    updated = _organizations(figeac.territory)
    assert "Quercy Plasturgie" not in updated and updated["Quercy Plastiques"].employee_count == 90


def test_windows_1252_file_with_commas_imports_accents_intact(figeac, admin):
    text = "Raison sociale,SIRET,Effectif\r\nSociété Générale d'Études,11122233300044,12\r\n"
    batch_id = _batch_id(_upload(admin, "figeac", "organizations", text, encoding="cp1252"))
    admin.post_form(f"/t/figeac/admin/imports/{batch_id}/apply")
    assert "Société Générale d'Études" in _organizations(figeac.territory)


def test_a_file_level_problem_re_renders_the_form_with_the_error(figeac, admin):
    response = _upload(admin, "figeac", "organizations", "siret;effectif\n1;2\n")
    assert response.status_code == 422
    assert 'id="file-organizations-error"' in response.get_data(as_text=True)
    assert count_rows(ImportBatch) == 0


def test_discarding_a_preview_imports_nothing(figeac, admin):
    batch_id = _batch_id(_upload(admin, "figeac", "organizations", ORGANIZATIONS))
    assert admin.post_form(f"/t/figeac/admin/imports/{batch_id}/discard").status_code == 302
    assert count_rows(ImportBatch) == 0 and "Quercy Plasturgie" not in _organizations(figeac.territory)


MEMBERS = """E-mail;Nom;Organisation;Rôle
camille@aero.example;Camille Martin;Figeac Aéro;référent
nouvelle@aero.example;Nina Nouvelle;Figeac Aéro;salarié
lou@menuiserie.example;Lou;99999999999999;salarié
bad-address;Someone;Figeac Aéro;salarié
inconnu@example.org;Inconnu;Entreprise Fantôme;salarié
elu@capdenac.example;Élu Local;;comité
"""


def _outbox(app):
    return sorted(glob.glob(os.path.join(app.config["MAIL_OUTBOX"], "*.eml")))


def test_members_import_grants_roles_invites_newcomers_and_is_idempotent(app, figeac, admin, make_client):
    batch_id = _batch_id(_upload(admin, "figeac", "members", MEMBERS))
    with territory_scope(figeac.territory):
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.summary == {"create": 0, "update": 0, "unchanged": 0, "invite": 2, "grant": 1, "errors": 3}
    assert count_rows(Invitation) == 0 and _outbox(app) == []
    lines = {e["line"]: e["field"] for e in batch.errors}
    assert lines == {4: "organization", 5: "email", 6: "organization"}

    admin.post_form(f"/t/figeac/admin/imports/{batch_id}/apply")
    with territory_scope(figeac.territory):
        roles = {(m.user.email, m.role) for m in db.session.scalars(select(Membership))}
        invitations = {i.email: i for i in db.session.scalars(select(Invitation))}
    assert ("camille@aero.example", "company_referent") in roles
    assert set(invitations) == {"nouvelle@aero.example", "elu@capdenac.example"}
    assert invitations["nouvelle@aero.example"].organization_id == figeac.aero.id
    assert invitations["elu@capdenac.example"].role == "governance_member"
    sent = [message_from_string(open(path, encoding="utf-8").read()) for path in _outbox(app)]
    assert sorted(m["To"] for m in sent) == ["elu@capdenac.example", "nouvelle@aero.example"]
    assert all(i.sent_at is not None for i in invitations.values())

    again = _batch_id(_upload(admin, "figeac", "members", MEMBERS))
    with territory_scope(figeac.territory):
        assert db.session.get(ImportBatch, again).summary["unchanged"] == 3
    admin.post_form(f"/t/figeac/admin/imports/{again}/apply")
    assert len(_outbox(app)) == 2 and count_rows(Invitation) == 2
    with territory_scope(figeac.territory):
        assert len(db.session.scalars(select(Membership)).all()) == len(roles)


def test_only_territory_admins_import(figeac, autun, make_client, admin):
    batch_id = _batch_id(_upload(admin, "figeac", "organizations", ORGANIZATIONS))
    for person in (figeac.employee, figeac.referent, autun.admin):
        client = make_client()
        client.login(person)
        assert client.get("/t/figeac/admin/imports/").status_code == 403
        assert _upload(client, "figeac", "organizations", ORGANIZATIONS).status_code == 403
        assert client.post_form(f"/t/figeac/admin/imports/{batch_id}/apply").status_code == 403
    autun_admin = make_client()
    autun_admin.login(autun.admin)
    assert autun_admin.get(f"/t/autun-morvan/admin/imports/{batch_id}").status_code == 404
    assert autun_admin.post_form(f"/t/autun-morvan/admin/imports/{batch_id}/apply").status_code == 404
    assert "Quercy Plasturgie" not in _organizations(figeac.territory)


def test_applying_costs_the_same_statements_for_20_or_400_lines(figeac, admin, count_queries):
    """Set-based: the number of SQL statements does not grow with the file (timings are in tests/bench)."""
    from coopserv.imports import services

    def statements(count, offset):
        text = "name;siret;headcount\n" + "".join(f"Company {offset + n};{offset + n:014d};{n}\n"
                                                for n in range(count))
        with territory_scope(figeac.territory):
            with count_queries() as preview:
                batch = services.preview("organizations", text.encode(), "f.csv", figeac.admin)
            with count_queries() as applying:
                services.apply(batch, figeac.admin)
        return len(preview), len(applying)

    assert statements(20, 1000) == statements(400, 5000)
    assert len(rows(Organization)) == 2 + 420
