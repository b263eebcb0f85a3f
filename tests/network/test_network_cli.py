"""Platform operators build a network from the command line; invitations go out with `coopserv invitations send`."""
import glob
import os

from flask.cli import ScriptInfo

from coopserv.audit.models import AuditEntry
from coopserv.cli import main
from coopserv.network.models import (
    Network,
    NetworkAuditEntry,
    NetworkEvent,
    NetworkMember,
    NetworkPartner,
    NetworkTerritory,
)
from coopserv.timeutil import local_today
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


def test_territories_partners_and_coordinators_are_removed_from_the_command_line(app, figeac, autun, make_user):
    from coopserv.network import services

    network = services.create_network({"slug": "adefpat", "name": "Réseau ADEFPAT"})
    services.add_territory(network, figeac.territory)
    services.add_territory(network, autun.territory)
    aradel = services.add_partner(network, "ARADEL", "co_organiser")
    first = make_user(email="coordination@adefpat.example")
    second = make_user(email="mission@aradel.example")
    services.add_coordinator(network, first)
    services.add_coordinator(network, second, aradel)
    from coopserv.network import events

    seminar = events.save_event(network, {"kind": "seminar", "title": "Séminaire de Figeac",
                                          "starts_on": local_today(), "organiser_ids": [aradel.id]})
    before = count_rows(NetworkAuditEntry, network_id=network.id)

    removed = _run(app, "network", "remove-territory", "adefpat", "autun-morvan")
    assert removed.exit_code == 0, removed.output
    assert [row.territory_id for row in rows(NetworkTerritory)] == [figeac.territory.id]
    assert count_rows(AuditEntry, territory_id=autun.territory.id, action="network.left") == 1
    assert _run(app, "network", "remove-partner", "adefpat", "ARADEL").exit_code == 0
    assert count_rows(NetworkPartner) == 0
    assert rows(NetworkEvent)[0].organisers == [] and rows(NetworkEvent)[0].id == seminar.id
    assert rows(NetworkMember, user_id=second.id)[0].partner_id is None  # keeps the role, without the partner
    assert _run(app, "network", "remove-coordinator", "adefpat", "MISSION@aradel.example").exit_code == 0
    assert [member.user_id for member in rows(NetworkMember)] == [first.id]
    assert [e.action for e in sorted(rows(NetworkAuditEntry, network_id=network.id), key=lambda e: e.id)][before:] \
        == ["network.territory_removed", "network.partner_removed", "network.coordinator_removed"]

    last = _run(app, "network", "remove-coordinator", "adefpat", first.email)
    assert last.exit_code == 2 and "Error" in last.output and "Traceback" not in last.output
    assert count_rows(NetworkMember) == 1
    for args in (("remove-territory", "adefpat", "autun-morvan"), ("remove-territory", "adefpat", "nowhere"),
                 ("remove-territory", "nowhere", "figeac"), ("remove-partner", "adefpat", "ARADEL"),
                 ("remove-coordinator", "adefpat", second.email), ("remove-coordinator", "adefpat", "x@example.org")):
        result = _run(app, "network", *args)
        assert result.exit_code == 2 and "Error" in result.output and "Traceback" not in result.output, args
    assert count_rows(NetworkTerritory) == 1 and count_rows(NetworkMember) == 1
    assert count_rows(NetworkAuditEntry, network_id=network.id) == before + 3


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
