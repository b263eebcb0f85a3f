"""Invitations to join: an admin (or an import from a file) e-mails people a link that signs them up into an organization."""
from urllib.parse import urlsplit

from sqlalchemy import select

from coopserv.accounts.models import ACTIVE, Membership, User
from coopserv.extensions import db
from coopserv.tenancy import territory_scope


def invitation_link(smtp_server, message):
    text = smtp_server.text(message)
    return next(line for line in text.splitlines() if "/invitations/" in line).strip()


def test_an_admin_invites_people_who_then_join_the_organization_at_once(
        client, make_client, make_territory, make_organization, make_user, smtp_server):
    territory = make_territory(slug="figeac", name="Figeac", primary_color="#0b5d3b")
    scierie = make_organization(territory, name="Scierie du Lot")
    admin = make_user(territory, "territory_admin", name="Claire Admin")
    make_user(territory, "employee", scierie, email="deja@example.org")
    client.login(admin)
    url = "/t/figeac/admin/invitations/"
    form = {"role": "employee", "organization_id": str(scierie.id), "back_to_organization": str(scierie.id)}

    refused = client.post_form(url, {**form, "emails": "ana@example.org\npas-une-adresse"}, follow_redirects=True)
    assert "pas-une-adresse" in refused.get_data(as_text=True)
    assert smtp_server.messages == []  # nothing half-sent while one address is wrong

    sent = client.post_form(url, {**form, "emails": "Ana@example.org, bob@example.org"})
    assert sent.status_code == 302
    messages = {message["To"]: message for message in smtp_server.messages}
    assert set(messages) == {"ana@example.org", "bob@example.org"}
    message = messages["ana@example.org"]
    text, html = smtp_server.text(message), smtp_server.html(message)
    assert "Claire Admin vous invite à rejoindre le portail de Figeac" in text
    assert "Scierie du Lot" in text and "#0b5d3b" in html
    assert message["List-Unsubscribe"]

    link = invitation_link(smtp_server, message)
    path = urlsplit(link).path
    newcomer = make_client()
    assert newcomer.get(path).status_code == 200
    joined = newcomer.post_form(path, {"name": "Ana Lopes", "password": "un mot de passe long",
                                       "password_confirm": "un mot de passe long"})
    assert joined.status_code == 302
    with territory_scope(territory):
        user = db.session.scalar(select(User).filter_by(email="ana@example.org"))
        membership = db.session.scalar(select(Membership).filter_by(user_id=user.id))
        assert (membership.status, membership.organization_id) == (ACTIVE, scierie.id)

    employee = make_user(territory, "employee", scierie)
    other = make_client()
    other.login(employee)
    assert other.post_form(url, {**form, "emails": "x@example.org"}).status_code == 403


def test_invite_command_imports_addresses_from_a_file(app, make_territory, make_organization, smtp_server, tmp_path):
    from coopserv.cli import main

    territory = make_territory(slug="gourdon", name="Grand Quercy")
    make_organization(territory, name="Scierie du Quercy")
    source = tmp_path / "salaries.csv"
    source.write_text("email;nom\nluc@example.org;Luc\nmarie@example.org;Marie\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["invite", "gourdon", "Scierie du Quercy", str(source)])
    assert result.exit_code == 0, result.output
    assert "2 invitation(s) sent" in result.output
    assert sorted(message["To"] for message in smtp_server.messages) == ["luc@example.org", "marie@example.org"]
    unknown = runner.invoke(main, ["invite", "gourdon", "Nulle part", str(source)])
    assert unknown.exit_code != 0 and "Nulle part" in unknown.output
