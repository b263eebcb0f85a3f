"""Accounts: sign-up with or without an invitation code, sign-in, password reset, hashed passwords."""
import email
import glob
import os
import re
from email import policy
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from coopserv.accounts.models import Membership, User
from coopserv.accounts.services import RESET_SALT, make_reset_token
from coopserv.audit.models import AuditEntry
from coopserv.extensions import db
from coopserv.notifications.models import Notification
from coopserv.testing import TEST_PASSWORD
from tests.helpers import count_rows, rows, text_of

NEW_PASSWORD = "une phrase de passe neuve"


def _signup(client, **fields):
    data = {"name": "Alex Martin", "email": "alex@example.org", "password": "mot de passe sûr",
            "password_confirm": "mot de passe sûr", **fields}
    return client.post_form("/t/figeac/signup", data)


def test_signup_with_invitation_code_joins_the_organization(client, figeac):
    response = _signup(client, invitation_code=figeac.aero.invitation_code.lower())
    assert response.status_code == 302
    user = rows(User, email="alex@example.org")[0]
    [membership] = rows(Membership, user_id=user.id)
    assert (membership.role, membership.status, membership.organization_id, membership.territory_id) == (
        "employee", "active", figeac.aero.id, figeac.territory.id)
    # Signed in straight away, and may use the portal as a member.
    assert client.get("/t/figeac/requests").status_code == 200


def test_signup_with_a_wrong_code_is_a_field_error_and_stores_nothing(client, figeac, autun):
    users_before = count_rows(User)
    for code in ("NOPE1234", autun.company.invitation_code):  # Autun's code is not valid in Figeac
        response = _signup(client, invitation_code=code)
        assert response.status_code == 422
        assert 'id="invitation_code-error"' in response.get_data(as_text=True)
    assert count_rows(User) == users_before
    assert rows(User, email="alex@example.org") == []


def test_signup_without_code_is_pending_until_an_admin_approves(make_client, figeac):
    newcomer = make_client()
    assert _signup(newcomer, organization_name="Figeac Aéro").status_code == 302
    user = rows(User, email="alex@example.org")[0]
    [membership] = rows(Membership, user_id=user.id)
    assert (membership.status, membership.organization_id) == ("pending", None)
    assert newcomer.get("/t/figeac/services/concierge").status_code == 403

    admin = make_client()
    admin.login(figeac.admin)
    assert "alex@example.org" in text_of(admin.get("/t/figeac/admin/members"))
    response = admin.post_form(f"/t/figeac/admin/members/{membership.id}/approve", {"organization_id": figeac.aero.id})
    assert response.status_code == 302
    [membership] = rows(Membership, user_id=user.id)
    assert (membership.status, membership.organization_id) == ("active", figeac.aero.id)
    assert [n.message for n in rows(Notification, user_id=user.id)] == ["Your membership was approved: welcome!"]
    actions = [(e.action, e.actor_id) for e in rows(AuditEntry)]
    assert ("membership.approved", figeac.admin.id) in actions
    assert newcomer.get("/t/figeac/services/concierge").status_code == 200


def test_approval_needs_an_organization_of_the_territory(make_client, figeac, autun):
    _signup(make_client())
    [membership] = rows(Membership, status="pending")
    admin = make_client()
    admin.login(figeac.admin)
    admin.post_form(f"/t/figeac/admin/members/{membership.id}/approve", {"organization_id": autun.company.id})
    assert rows(Membership, id=membership.id)[0].status == "pending"


def test_duplicate_email_is_a_field_error(client, figeac):
    response = _signup(client, email=figeac.employee.email.upper())
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert count_rows(User, email=figeac.employee.email) == 1


def test_login_with_a_wrong_password_is_refused(client, figeac):
    for email_address, password in ((figeac.employee.email, "not the password"), ("nobody@example.org", "x" * 12)):
        response = client.post_form("/login", {"email": email_address, "password": password})
        assert response.status_code == 422
        assert "Adresse e-mail ou mot de passe incorrect." in text_of(response)
    assert client.get("/t/figeac/requests").status_code == 302  # still anonymous


def test_passwords_are_stored_hashed(figeac):
    stored = figeac.employee.password_hash
    assert TEST_PASSWORD not in stored
    assert stored.startswith(("pbkdf2:", "scrypt:"))
    assert figeac.employee.check_password(TEST_PASSWORD) and not figeac.employee.check_password("guess")


def _outbox(app):
    return sorted(glob.glob(os.path.join(app.instance_path, app.config["MAIL_OUTBOX"], "*.eml")))


def _reset_link(path):
    with open(path, encoding="utf-8") as handle:
        message = email.message_from_file(handle, policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return message["To"], re.search(r"https?://[^/\s]+(/password/reset/\S+)", body).group(1)


def test_password_reset_by_mail_works_once(app, client, make_client, figeac):
    assert _outbox(app) == []
    response = client.post_form("/password/forgot", {"email": figeac.employee.email})
    assert response.status_code == 200
    [mail] = _outbox(app)
    to, link = _reset_link(mail)
    assert to == figeac.employee.email

    assert client.get(link).status_code == 200
    response = client.post_form(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    make_client().login(figeac.employee, NEW_PASSWORD)
    assert make_client().post_form("/login", {"email": figeac.employee.email,
                                              "password": TEST_PASSWORD}).status_code == 422
    # The link served once: the password it was made for is gone.
    assert client.get(link).status_code == 400
    assert client.post_form(link, {"password": "encore autre chose", "password_confirm": "encore autre chose"}
                            ).status_code == 400
    make_client().login(figeac.employee, NEW_PASSWORD)


def test_forgot_password_for_an_unknown_address_sends_nothing_and_says_the_same(app, client, figeac):
    known = client.post_form("/password/forgot", {"email": figeac.employee.email})
    unknown = client.post_form("/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert len(_outbox(app)) == 1


@pytest.mark.parametrize("kind", ["expired", "forged", "tampered"])
def test_expired_or_forged_reset_tokens_are_rejected(app, client, figeac, kind):
    user = db.session.scalar(select(User).filter_by(email=figeac.employee.email))
    token = make_reset_token(user)
    if kind == "expired":
        app.config["PASSWORD_RESET_MAX_AGE"] = -1
    elif kind == "forged":
        token = URLSafeTimedSerializer("another-secret", salt=RESET_SALT).dumps(
            {"user": user.id, "pw": user.password_hash[-12:]})
    else:
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    before = user.password_hash
    assert client.get(f"/password/reset/{token}").status_code == 400
    new_password = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    response = client.post_form(f"/password/reset/{token}", new_password)
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.password_hash == before


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_login_never_redirects_to_another_site(client, figeac, target):
    response = client.post_form(f"/login?next={target}", {"email": figeac.employee.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    # A path of this site (a percent-encoded backslash is harmless), never another host.
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
    assert urlsplit(location).netloc == "", location
