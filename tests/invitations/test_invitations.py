"""Invitations: a signed link lets the invited person set a password and join with the role; links die when they should."""
import glob
import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coopserv.accounts.models import Membership, User
from coopserv.extensions import db
from coopserv.invitations import services
from coopserv.invitations.models import Invitation
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow
from tests.helpers import rows, text_of


def _invite(territory, admin, email="nina@aero.example", role="employee", organization=None, send=True):
    with territory_scope(territory):
        return services.invite({"email": email, "name": "Nina Nouvelle", "role": role,
                                "organization_id": organization.id if organization else None}, admin, send=send)


def _link(app):
    """The link of the last invitation e-mailed, as a path."""
    path = sorted(glob.glob(os.path.join(app.config["MAIL_OUTBOX"], "*.eml")))[-1]
    body = open(path, encoding="utf-8").read()
    return re.search(r"http://[^/]+(/t/\S+/invitations/\S+)", body.replace("=\n", "")).group(1)


def _memberships(territory, email):
    with territory_scope(territory):
        return {(m.role, m.organization_id, m.status) for m in db.session.scalars(
            select(Membership).join(User, User.id == Membership.user_id).where(User.email == email))}


def test_the_invited_person_sets_a_password_and_joins_with_the_role(app, figeac, client):
    _invite(figeac.territory, figeac.admin, organization=figeac.aero)
    link = _link(app)
    page = client.get(link)
    assert page.status_code == 200 and "nina@aero.example" in text_of(page)
    short = client.post_form(link, {"name": "Nina Nouvelle", "password": "short", "password_confirm": "short"})
    assert short.status_code == 422 and rows(User, email="nina@aero.example") == []
    done = client.post_form(link, {"name": "Nina Nouvelle", "password": "a long password",
                                   "password_confirm": "a long password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/t/figeac/")
    assert _memberships(figeac.territory, "nina@aero.example") == {("employee", figeac.aero.id, "active")}
    assert client.get("/t/figeac/requests").status_code == 200  # signed in, a member
    again = client.get(link)
    assert again.status_code == 200 and 'name="password"' not in text_of(again)
    assert client.post_form(link, {"name": "X", "password": "another password",
                                   "password_confirm": "another password"}).status_code == 200
    assert len(rows(User, email="nina@aero.example")) == 1


def test_someone_with_an_account_signs_in_and_accepts(app, figeac, autun, make_client):
    _invite(figeac.territory, figeac.admin, email=autun.employee.email, role="governance_member")
    link = _link(app)
    anonymous = make_client()
    assert "/login?next=" in text_of(anonymous.get(link))
    assert anonymous.post_form(link, {"name": "Intruder", "password": "a long password",
                                      "password_confirm": "a long password"}).status_code == 200
    assert _memberships(figeac.territory, autun.employee.email) == set()
    someone_else = make_client()
    someone_else.login(figeac.employee)
    assert someone_else.post_form(link).status_code == 403
    invited = make_client()
    invited.login(autun.employee)
    assert invited.post_form(link).status_code == 302
    assert _memberships(figeac.territory, autun.employee.email) == {("governance_member", None, "active")}


@pytest.mark.parametrize("spoil", ["revoke", "resend", "expire", "tamper"])
def test_old_revoked_expired_or_tampered_links_do_not_work(app, figeac, client, spoil):
    invitation = _invite(figeac.territory, figeac.admin)
    link = _link(app)
    with territory_scope(figeac.territory):
        invitation = db.session.get(Invitation, invitation.id)
        if spoil == "revoke":
            services.revoke(invitation, figeac.admin)
        elif spoil == "resend":
            services.resend(invitation, figeac.admin)
        elif spoil == "expire":
            invitation.expires_at = utcnow() - timedelta(minutes=1)
            db.session.commit()
    if spoil == "tamper":
        link = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = client.post_form(link, {"name": "Nina", "password": "a long password",
                                       "password_confirm": "a long password"})
    assert response.status_code == 400
    assert rows(User, email="nina@aero.example") == []


def test_an_invitation_link_only_works_in_its_own_territory(app, figeac, autun, client):
    _invite(figeac.territory, figeac.admin)
    link = _link(app).replace("/t/figeac/", "/t/autun-morvan/")
    assert client.get(link).status_code == 400


def test_inviting_again_refreshes_one_invitation_and_kills_the_old_link(app, figeac, client):
    _invite(figeac.territory, figeac.admin, role="employee", organization=figeac.aero)
    first = _link(app)
    _invite(figeac.territory, figeac.admin, role="company_referent", organization=figeac.aero)
    assert len(rows(Invitation)) == 1 and rows(Invitation)[0].role == "company_referent"
    assert client.get(first).status_code == 400
    assert client.get(_link(app)).status_code == 200


def test_send_pending_sends_each_unsent_invitation_once(app, figeac):
    with territory_scope(figeac.territory):
        services.invite_many([{"email": f"p{n}@example.org", "name": f"P{n}", "role": "employee",
                               "organization_id": figeac.aero.id} for n in range(5)], figeac.admin)
        db.session.commit()
        assert services.unsent_count() == 5
        assert services.send_pending(limit=3) == 3
        assert services.send_pending() == 2
        assert services.send_pending() == 0
    assert len(glob.glob(os.path.join(app.config["MAIL_OUTBOX"], "*.eml"))) == 5


def test_erasing_a_person_removes_invitations_to_their_address(app, figeac, make_user):
    from coopserv.privacy.services import erase_person, export_person

    _invite(figeac.territory, figeac.admin, email="nina@aero.example")
    person = make_user(email="nina@aero.example")
    assert export_person(person)["invitations"][0]["email"] == "nina@aero.example"
    erase_person(person)
    assert rows(Invitation) == []


def test_an_address_with_slashes_cannot_write_outside_the_outbox(app, figeac):
    _invite(figeac.territory, figeac.admin, email="../../x/y@example.org")
    written = glob.glob(os.path.join(app.config["MAIL_OUTBOX"], "*.eml"))
    assert len(written) == 1 and os.path.dirname(written[0]) == app.config["MAIL_OUTBOX"]
