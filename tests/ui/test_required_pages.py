"""Required pages: accessibility statement, legal notice and personal-data policy, per territory."""
import json

import pytest

from coopserv.legal import accessibility
from coopserv.legal.models import LegalPage
from tests.helpers import count_rows, rows, text_of

PAGES = ("/accessibility", "/legal-notice", "/personal-data")


@pytest.mark.parametrize("path", PAGES)
def test_every_footer_links_the_required_pages(client, figeac, path):
    for page in ("/", "/t/figeac/", "/login", "/t/figeac/nowhere"):
        body = client.get(page).get_data(as_text=True)
        prefix = "/t/figeac" if page.startswith("/t/") else ""
        assert f'href="{prefix}{path}"' in body, page
    assert client.get(f"/t/figeac{path}").status_code == 200
    assert client.get(path).status_code == 200


def test_admin_fills_the_legal_notice_with_field_errors_first(make_client, client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    assert "Figeac" in text_of(admin.get("/t/figeac/admin/pages/legal_notice"))  # publisher suggested
    bad = admin.post_form("/t/figeac/admin/pages/legal_notice", {"publisher": "Grand-Figeac", "director": "",
                                                                "contact_email": "nope", "host_name": "OVH"})
    assert bad.status_code == 422
    assert 'id="director-error"' in text_of(bad) and 'id="contact_email-error"' in text_of(bad)
    assert count_rows(LegalPage) == 0
    good = admin.post_form("/t/figeac/admin/pages/legal_notice", {
        "publisher": "Communauté de communes du Grand-Figeac", "director": "Le président",
        "contact_email": "contact@grand-figeac.example", "host_name": "Hébergeur Lotois"})
    assert good.status_code == 302
    page = text_of(client.get("/t/figeac/legal-notice"))
    assert "Communauté de communes du Grand-Figeac" in page and "contact@grand-figeac.example" in page
    [stored] = rows(LegalPage)
    assert stored.territory_id == figeac.territory.id and stored.kind == "legal_notice"


def test_pages_belong_to_their_territory(make_client, client, figeac, autun):
    admin = make_client()
    admin.login(figeac.admin)
    admin.post_form("/t/figeac/admin/pages/privacy", {"controller": "Grand-Figeac", "dpo_contact": "dpo@figeac.example"})
    assert "dpo@figeac.example" in text_of(client.get("/t/figeac/personal-data"))
    assert "dpo@figeac.example" not in text_of(client.get("/t/autun-morvan/personal-data"))
    other = make_client()
    other.login(autun.admin)
    assert other.get("/t/figeac/admin/pages/privacy").status_code == 403
    assert other.post_form("/t/figeac/admin/pages/privacy", {"controller": "X", "dpo_contact": "x@x.example"}
                           ).status_code == 403
    assert admin.get("/t/figeac/admin/pages/nothing").status_code == 404


def test_personal_data_policy_lists_what_plugins_declare(client, figeac, enable_module):
    page = text_of(client.get("/t/figeac/personal-data"))
    # The core's declarations, with what and why.
    assert "Vos demandes de service" in page or "Your service requests" in page
    # The concierge is enabled in Figeac: its orders are listed under its name, with the fields kept.
    assert "Conciergerie inter-entreprises" in page and "dropoff date" in page
    # Mobility is not enabled: its data is not in Figeac's policy.
    assert "home latitude" not in page
    enable_module(figeac.territory, "mobility")
    assert "home latitude" in text_of(client.get("/t/figeac/personal-data"))


def test_accessibility_statement_reports_the_automated_audit(client, figeac, monkeypatch, tmp_path):
    audit = {"date": "2026-11-30", "tool": "axe-core 4.14.1", "viewports": [360, 1280],
             "pages": ["portal.home", "requests.mine"], "rules": {"passed": 57, "failed": 3},
             "violations": {"critical": 0, "serious": 0, "moderate": 2, "minor": 1}}
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(audit))
    monkeypatch.setattr(accessibility, "AUDIT_FILE", str(path))
    monkeypatch.setattr(accessibility.automated_audit, "__defaults__", (str(path),))
    page = text_of(client.get("/t/figeac/accessibility"))
    assert "partiellement conforme" in page and "95" in page and "axe-core 4.14.1" in page
    assert "Accessibilité : partiellement conforme" in text_of(client.get("/t/figeac/"))


def test_a_manual_audit_replaces_the_automated_level(make_client, client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    response = admin.post_form("/t/figeac/admin/pages/accessibility", {
        "contact_email": "a11y@figeac.example", "audit_rate": "100", "audit_date": "2026-10-01",
        "auditor": "Cabinet Accessible"})
    assert response.status_code == 302
    page = text_of(client.get("/t/figeac/accessibility"))
    assert "totalement conforme" in page and "Cabinet Accessible" in page and "a11y@figeac.example" in page
    assert admin.post_form("/t/figeac/admin/pages/accessibility", {
        "contact_email": "a11y@figeac.example", "audit_rate": "140"}).status_code == 422


@pytest.mark.parametrize("fields, level", [
    ({"audit_rate": 100}, "full"), ({"audit_rate": 75.5}, "partial"), ({"audit_rate": 20}, "none"),
    ({}, "partial"),
])
def test_conformity_levels_follow_rgaa_bands(fields, level):
    audit = {"rules": {"passed": 99, "failed": 1}}
    assert accessibility.conformity(fields, audit)[0] == level
    # An automated audit alone never claims full compliance, even when every rule passes.
    assert accessibility.conformity({}, {"rules": {"passed": 10, "failed": 0}})[0] == "partial"
    assert accessibility.conformity({}, None)[0] == "none"


def test_every_footer_says_the_new_level_right_after_an_edit(make_client, client, figeac, autun, monkeypatch,
                                                            tmp_path):
    """The level lives on the territory row each request loads: the next page, from any client, says it."""
    path = tmp_path / "audit.json"
    path.write_text(json.dumps({"rules": {"passed": 57, "failed": 3}}))
    monkeypatch.setattr(accessibility.automated_audit, "__defaults__", (str(path),))
    assert "Accessibilité : partiellement conforme" in text_of(client.get("/t/figeac/"))
    admin = make_client()
    admin.login(figeac.admin)
    statement = {"contact_email": "a11y@figeac.example", "audit_rate": "100"}
    assert admin.post_form("/t/figeac/admin/pages/accessibility", statement).status_code == 302
    assert "Accessibilité : totalement conforme" in text_of(admin.get("/t/figeac/admin/pages/"))
    assert "Accessibilité : totalement conforme" in text_of(client.get("/t/figeac/"))
    assert admin.post_form("/t/figeac/admin/pages/accessibility", {**statement, "audit_rate": "20"}).status_code == 302
    assert "Accessibilité : non conforme" in text_of(client.get("/t/figeac/"))
    # Without a manual audit, the automated one counts again; other territories never changed.
    assert admin.post_form("/t/figeac/admin/pages/accessibility", {**statement, "audit_rate": ""}).status_code == 302
    assert "Accessibilité : partiellement conforme" in text_of(client.get("/t/figeac/"))
    assert "Accessibilité : partiellement conforme" in text_of(client.get("/t/autun-morvan/"))
