"""Platform operators build a network from the command line; invitations go out with `coopserv invitations send`."""
import glob
import os

from flask.cli import ScriptInfo

from coopserv.cli import main
from coopserv.network.models import Network, NetworkMember, NetworkTerritory
from tests.helpers import count_rows, rows


def _run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_a_network_is_built_from_the_command_line(app, figeac, make_user):
    make_user(email="coordination@adefpat.example")
    assert _run(app, "network", "create", "adefpat", "Réseau ADEFPAT").exit_code == 0
    assert _run(app, "network", "create", "adefpat", "Again").exit_code == 2
    assert _run(app, "network", "add-territory", "adefpat", "figeac").exit_code == 0
    assert _run(app, "network", "add-partner", "adefpat", "ADEFPAT", "--role", "coordinator").exit_code == 0
    assert _run(app, "network", "add-coordinator", "adefpat", "coordination@adefpat.example",
                "--partner", "ADEFPAT").exit_code == 0
    assert count_rows(Network) == 1 and count_rows(NetworkTerritory) == 1
    assert rows(NetworkMember)[0].partner.name == "ADEFPAT"
    for args in (("add-territory", "adefpat", "nowhere"), ("add-territory", "nowhere", "figeac"),
                 ("add-coordinator", "adefpat", "nobody@example.org")):
        result = _run(app, "network", *args)
        assert result.exit_code == 2 and "Error" in result.output


def test_invitations_send_mails_the_pending_ones_with_the_public_url(app, figeac):
    from coopserv.invitations import services
    from coopserv.tenancy import territory_scope

    app.config["PUBLIC_URL"] = "https://figeac.example.org"
    with territory_scope(figeac.territory):
        services.invite_many([{"email": f"p{n}@example.org", "name": "P", "role": "employee",
                               "organization_id": figeac.aero.id} for n in range(3)], figeac.admin)
        from coopserv.extensions import db

        db.session.commit()
    result = _run(app, "invitations", "send", "--territory", "figeac")
    assert result.exit_code == 0 and "3 invitations sent" in result.output
    bodies = [_text_of(path) for path in glob.glob(os.path.join(app.config["MAIL_OUTBOX"], "*.eml"))]
    assert len(bodies) == 3 and all("https://figeac.example.org/t/figeac/invitations/" in b for b in bodies)
    assert "0 invitations sent" in _run(app, "invitations", "send").output


def _text_of(path):
    """The plain-text part of a message written to the outbox."""
    import email
    from email import policy

    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()
