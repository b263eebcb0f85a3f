"""E-mail: real SMTP delivery read back, both parts, language, territory colours, unsubscribe, digests, outbox."""
import os

import pytest
from sqlalchemy import select

from coopserv.emails import services as emails
from coopserv.emails.categories import COMMITTEE, DIGEST, NEEDS, NEVER
from coopserv.emails.models import DigestEntry, EmailPreference
from coopserv.extensions import db
from coopserv.urls import target


def reset_link(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return next(line for line in text.splitlines() if "/password/reset/" in line).strip()


def test_password_reset_arrives_by_smtp_in_the_readers_language_with_both_parts(client, make_user, smtp_server):
    user = make_user(email="claire@example.org", name="Claire")
    user.language = "en"
    db.session.commit()
    response = client.post_form("/password/forgot", {"email": "claire@example.org"})
    assert response.status_code == 200
    [message] = smtp_server.messages
    assert message["To"] == "claire@example.org"
    assert message["Subject"] == "Your password"
    assert message["Content-Language"] == "en"
    text, html = smtp_server.text(message), smtp_server.html(message)
    assert text.startswith("Hello Claire,")
    link = reset_link(message)
    assert link.startswith("http://portal.test/password/reset/")
    assert f'href="{link}"' in html
    # A password reset is always sent: it has no unsubscribe link.
    assert message["List-Unsubscribe"] is None
    assert "it is always sent" in text
    # The link works.
    assert client.get(link.removeprefix("http://portal.test")).status_code == 200
    # Nothing is sent for an unknown address, and the page says the same.
    smtp_server.clear()
    assert client.post_form("/password/forgot", {"email": "nobody@example.org"}).status_code == 200
    assert smtp_server.messages == []


def test_french_by_default(client, make_user, smtp_server):
    make_user(email="jean@example.org", name="Jean")
    client.post_form("/password/forgot", {"email": "jean@example.org"})
    [message] = smtp_server.messages
    assert message["Subject"] == "Votre mot de passe"
    assert smtp_server.text(message).startswith("Bonjour Jean,")


def test_without_a_server_mail_goes_to_the_outbox(app, client, make_user):
    make_user(email="outbox@example.org")
    client.post_form("/password/forgot", {"email": "outbox@example.org"})
    outbox = app.config["MAIL_OUTBOX"]
    [name] = os.listdir(outbox)
    assert name.endswith("outbox_at_example.org.eml")


def _territory_message(user, territory, scoped, category=COMMITTEE, title="Comité de mars"):
    with scoped(territory):
        outcome = emails.send_email(user, category, "emails/test_message.html",
                                    link_to=target("governance.committee"), title=title)
        db.session.commit()
    return outcome


@pytest.fixture
def test_template(app):
    """A plain message template, as a module would write one."""
    from jinja2 import ChoiceLoader, DictLoader

    source = ('{% block subject %}News: {{ title }}{% endblock %}'
              '{% block text %}{% autoescape false %}Read {{ title }}: {{ link }}{% endautoescape %}{% endblock %}'
              '{% block html %}<p>Read <a href="{{ link }}">{{ title }}</a></p>{% endblock %}')
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader({"emails/test_message.html": source}), original])
    yield
    app.jinja_env.loader = original


def test_a_territory_message_carries_its_name_colours_and_a_working_one_click_unsubscribe(
        client, make_territory, make_user, scoped, smtp_server, test_template):
    territory = make_territory(slug="figeac", name="Figeac", primary_color="#123456")
    user = make_user(territory, "governance_member", email="elu@example.org")
    assert _territory_message(user, territory, scoped) == "sent"
    [message] = smtp_server.messages
    html = smtp_server.html(message)
    assert "Figeac" in message["From"] and "#123456" in html and "Figeac" in html
    assert 'href="http://portal.test/t/figeac/governance/"' in html
    assert "http://portal.test/t/figeac/governance/" in smtp_server.text(message)
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in smtp_server.text(message) and unsubscribe in html
    path = unsubscribe.removeprefix("http://portal.test")
    # Opening the link only asks; a mail program's one-click POST (no CSRF token) unsubscribes.
    assert client.get(path).status_code == 200
    assert emails.mode_for(user.id, "committee") == "immediately"
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    assert emails.mode_for(user.id, "committee") == NEVER
    smtp_server.clear()
    assert _territory_message(user, territory, scoped) == "skipped"
    assert smtp_server.messages == []
    # Other categories still arrive; a forged token is refused.
    assert _territory_message(user, territory, scoped, category=NEEDS) == "sent"
    assert len(smtp_server.messages) == 1
    assert client.post(path[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_never_sends_nothing_but_the_notification_stays(make_territory, make_user, scoped, smtp_server,
                                                         test_template):
    territory = make_territory()
    user = make_user(territory, "employee")
    emails.set_preference(user.id, "needs", NEVER)
    assert _territory_message(user, territory, scoped, category=NEEDS) == "skipped"
    assert smtp_server.messages == []


def test_the_daily_digest_groups_messages_by_category_and_sends_them_once(
        app, make_territory, make_user, scoped, smtp_server, test_template):
    territory = make_territory(slug="autun", name="Autun Morvan")
    other = make_territory(slug="tarare", name="Ouest Rhodanien")
    user = make_user(territory, "governance_member", email="digest@example.org")
    emails.set_preference(user.id, "committee", DIGEST)
    emails.set_preference(user.id, "needs", DIGEST)
    for title in ("Comité A", "Comité B"):
        _territory_message(user, territory, scoped, title=title)
    _territory_message(user, territory, scoped, category=NEEDS, title="Besoin C")
    _territory_message(user, other, scoped, title="Ailleurs D")
    assert smtp_server.messages == []
    queue = app.extensions["coopserv_jobs"]
    from datetime import datetime

    assert queue.run_periodic_now("coopserv.emails.jobs.send_digests", now=datetime(2026, 12, 3, 5, 0)) is False
    assert queue.run_periodic_now("coopserv.emails.jobs.send_digests", now=datetime(2026, 12, 3, 6, 5)) is True
    assert len(smtp_server.messages) == 2  # one digest per territory
    [autun] = smtp_server.to("digest@example.org") and [m for m in smtp_server.messages if "Autun" in m["Subject"]]
    text = smtp_server.text(autun)
    assert "3 messages" in autun["Subject"]
    committee, needs = text.index("Comité de pilotage"), text.index("Besoins")
    assert committee < text.index("News: Comité A") < text.index("News: Comité B") < needs < text.index("News: Besoin C")
    assert "Ailleurs" not in text
    assert autun["List-Unsubscribe"] is not None
    with scoped(territory):
        assert all(entry.sent_at is not None for entry in db.session.scalars(select(DigestEntry)))
    smtp_server.clear()
    assert queue.run_periodic_now("coopserv.emails.jobs.send_digests", now=datetime(2026, 12, 3, 7, 0)) is False
    assert queue.run_periodic_now("coopserv.emails.jobs.send_digests", now=datetime(2026, 12, 4, 6, 0)) is True
    assert smtp_server.messages == []  # nothing new waited


def test_invitations_reach_addresses_without_an_account_and_respect_their_opt_out(
        client, make_territory, scoped, smtp_server):
    from datetime import date

    territory = make_territory(slug="gourdon", name="Grand Quercy")
    with scoped(territory):
        assert emails.send_invitation_email("new@example.org", territory, "http://portal.test/t/gourdon/join/abc",
                                            inviter_name="Claire", organization_name="Scierie du Quercy",
                                            expires_on=date(2026, 12, 15)) == "sent"
        db.session.commit()
    [message] = smtp_server.messages
    text = smtp_server.text(message)
    assert "Claire vous invite à rejoindre le portail de Grand Quercy" in text
    assert "http://portal.test/t/gourdon/join/abc" in text and "mardi 15 décembre 2026" in text
    path = message["List-Unsubscribe"].strip("<>").removeprefix("http://portal.test")
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    smtp_server.clear()
    with scoped(territory):
        assert emails.send_invitation_email("NEW@example.org", territory, "http://x") == "skipped"
        db.session.commit()
    assert smtp_server.messages == []


def test_settings_page_saves_preferences_with_field_errors(client, make_territory, make_user):
    territory = make_territory(slug="figeac")
    user = make_user(territory, "employee")
    client.login(user)
    page = client.get("/t/figeac/settings/")
    assert page.status_code == 200 and 'name="committee"' in page.get_data(as_text=True)
    values = {"committee": "digest", "projects": "never", "needs": "immediately", "requests": "digest",
              "reminders": "immediately"}
    assert client.post_form("/t/figeac/settings/emails", values).status_code == 302
    assert emails.preferences(user.id)["committee"] == "digest"
    bad = client.post_form("/t/figeac/settings/emails", {**values, "projects": "hourly", "needs": ""})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert 'id="projects-error"' in body and 'id="needs-error"' in body
    assert emails.preferences(user.id)["projects"] == "never"  # nothing half-stored
    json_bad = client.post_json("/t/figeac/settings/emails", {**values, "projects": "hourly"})
    assert json_bad.status_code == 422
    assert db.session.scalar(select(EmailPreference.mode).filter_by(user_id=user.id, category="projects")) == "never"
