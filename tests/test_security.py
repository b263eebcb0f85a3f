"""Security headers, redirects that stay on the site, sessions that end, sign-in timing."""
import os
import re

import pytest

from coopserv import create_app
from coopserv.testing import TEST_PASSWORD
from tests.helpers import text_of

GOOD_KEY = "9f1c2b7e4d8a6f30c5e1b9a7d2f4e6c8a0b3d5f7e9c1a2b4d6f8e0c2a4b6d8f0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- headers -----------------------------------------------------------------------------------

def _csp(response):
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("url", ["/", "/login", "/t/figeac/", "/t/figeac/nowhere", "/api/v1/openapi.json",
                                 "/api/v1/territories/figeac/requests/", "/static/css/coopserv.css",
                                 "/t/figeac/theme.css"])
def test_every_response_carries_the_security_headers(client, figeac, url):
    response = client.get(url)
    policy = _csp(response)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP is fine


def test_the_api_documentation_page_runs_without_inline_script(client):
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _csp(response)["script-src"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "js/swagger-init.js" in page and 'data-spec-url="/api/v1/openapi.json"' in page


def test_production_sends_hsts_and_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPSERV_INSTANCE_PATH", str(tmp_path))
    app = create_app({"PRODUCTION": True, "SECRET_KEY": GOOD_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_territory_colours_come_from_a_stylesheet(client, figeac):
    page = client.get("/t/figeac/").get_data(as_text=True)
    link = re.search(r'href="(/t/figeac/theme\.css\?v=[0-9a-f]+)"', page).group(1)
    css = client.get(link)
    assert css.content_type.startswith("text/css")
    assert "--primary: #" in css.get_data(as_text=True)


def _templates():
    for base in ("coopserv", "plugins", "examples"):
        for folder, _dirs, files in os.walk(os.path.join(ROOT, base)):
            if "/static" in folder or "/.venv" in folder or "node_modules" in folder:
                continue
            # E-mails and PDF layouts are never served to a browser under the CSP, and mail programs
            # and WeasyPrint read only inline styles: they keep theirs.
            if folder.endswith(("templates/emails", "templates/documents")):
                continue
            for name in files:
                if name.endswith((".html", ".html.tmpl")):
                    yield os.path.join(folder, name)


def test_no_template_has_inline_script_style_or_event_handler():
    """The CSP refuses inline code: templates of the core, plugins, examples and the scaffold load files."""
    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)
    for path in _templates():
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            if pattern.search(line):
                offenders.append(f"{os.path.relpath(path, ROOT)}:{number}: {line.strip()[:100]}")
    assert offenders == []
    assert any(path.endswith("base.html") for path in _templates())


# -- redirects ---------------------------------------------------------------------------------

OFF_SITE = ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/%0A/evil.example",
            "javascript:alert(1)", " /t/figeac/", "/t/figeac/%0D%0ALocation:%20https://evil.example",
            "http:/evil.example", "\\\\evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_sends_to_another_site(client, figeac, target):
    response = client.post_form(f"/login?next={target}", {"email": figeac.employee.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/t/figeac/"  # an unsafe target is dropped: one's own portal instead


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_sends_to_another_site(client, target):
    from urllib.parse import unquote

    response = client.post_form("/language", {"lang": "en", "next": unquote(target)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_paths_of_the_site_are_followed(client, figeac):
    response = client.post_form("/login?next=/t/figeac/requests%3Fpage%3D2",
                                {"email": figeac.employee.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/t/figeac/requests?page=2"
    response = client.post_form("/language", {"lang": "en", "next": "/t/figeac/needs/?park=ZA"})
    assert response.headers["Location"] == "/t/figeac/needs/?park=ZA"


# -- sessions end ------------------------------------------------------------------------------

def _session_cookie(client):
    return client.get_cookie("session").value


def _signed_in(app, cookie):
    """Replay a captured session cookie from another browser: is it still signed in?"""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/t/figeac/requests")
    return response.status_code == 200


def test_signing_out_ends_every_copy_of_the_session(app, figeac, make_client):
    laptop, phone = make_client(), make_client()
    laptop.login(figeac.employee)
    phone.login(figeac.employee)
    captured = _session_cookie(laptop)
    assert _signed_in(app, captured)
    laptop.logout()
    assert not _signed_in(app, captured)
    assert phone.get("/t/figeac/requests").status_code == 302  # the other device is signed out too
    laptop.login(figeac.employee)  # signing in again works at once
    assert laptop.get("/t/figeac/requests").status_code == 200


def test_a_password_reset_ends_the_sessions_opened_before(app, client, figeac, make_client):
    from coopserv.accounts.services import make_reset_token

    browser = make_client()
    browser.login(figeac.employee)
    captured = _session_cookie(browser)
    with app.test_request_context():
        token = make_reset_token(figeac.employee)
    response = client.post_form(f"/password/reset/{token}", {"password": "a brand new passphrase",
                                                              "password_confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert not _signed_in(app, captured)
    assert browser.get("/t/figeac/requests").status_code == 302
    browser.login(figeac.employee, password="a brand new passphrase")
    assert browser.get("/t/figeac/requests").status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, figeac, make_client):
    laptop, phone = make_client(), make_client()
    laptop.login(figeac.employee)
    phone.login(figeac.employee)
    captured = _session_cookie(phone)
    assert laptop.get("/account/password").status_code == 200
    wrong = laptop.post_form("/account/password", {"current_password": "not the password",
                                                   "password": "a brand new passphrase",
                                                   "password_confirm": "a brand new passphrase"})
    assert wrong.status_code == 422
    assert "Ce n’est pas votre mot de passe actuel." in wrong.get_data(as_text=True)
    assert _signed_in(app, captured)  # nothing changed
    short = laptop.post_form("/account/password", {"current_password": TEST_PASSWORD, "password": "short",
                                                   "password_confirm": "short"})
    assert short.status_code == 422
    changed = laptop.post_form("/account/password", {"current_password": TEST_PASSWORD,
                                                     "password": "a brand new passphrase",
                                                     "password_confirm": "a brand new passphrase"})
    assert changed.status_code == 302
    assert laptop.get("/t/figeac/requests").status_code == 200  # this browser stays signed in
    assert not _signed_in(app, captured)  # the phone's session ended
    assert phone.get("/t/figeac/requests").status_code == 302
    phone.login(figeac.employee, password="a brand new passphrase")
    assert phone.get("/t/figeac/requests").status_code == 200


def test_the_password_page_needs_a_signed_in_person(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_from_before_the_session_version_is_refused(app, figeac):
    from coopserv.accounts.loading import load_user

    assert load_user(str(figeac.employee.id)) is None
    assert load_user(f"{figeac.employee.id}:{figeac.employee.session_version}").id == figeac.employee.id
    assert load_user("x:1") is None and load_user("99999:0") is None


# -- sign-in timing ----------------------------------------------------------------------------

def test_signing_in_with_an_unknown_address_still_checks_a_password_hash(client, figeac, monkeypatch):
    import coopserv.accounts.models as models
    import coopserv.security as security

    calls = []
    real = security.check_password_hash

    def counting(hash_, password):
        calls.append(hash_.split("$", 1)[0])
        return real(hash_, password)

    monkeypatch.setattr(security, "check_password_hash", counting)
    monkeypatch.setattr(models, "check_password_hash", counting)
    unknown = client.post_form("/login", {"email": "nobody@example.org", "password": "guess"})
    known = client.post_form("/login", {"email": figeac.employee.email, "password": "guess"})
    assert unknown.status_code == known.status_code == 422
    assert text_of(unknown).count("Adresse e-mail ou mot de passe incorrect") == \
        text_of(known).count("Adresse e-mail ou mot de passe incorrect") == 1
    # One hash check each, with the same method (same cost).
    assert len(calls) == 2 and calls[0] == calls[1]
