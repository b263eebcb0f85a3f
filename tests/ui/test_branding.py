"""Territory branding: readable colours only, a validated and resized logo, a preview before saving."""
import io
import re

import pytest
from PIL import Image

from coopserv.audit.models import AuditEntry
from coopserv.branding.colors import contrast_ratio, contrast_report
from coopserv.extensions import db
from coopserv.territories.models import Territory
from tests.helpers import rows, text_of

READABLE = {"name": "Figeac", "region": "Lot, Occitanie", "primary_color": "#234a6b", "accent_color": "#9fd3c7",
            "default_language": "fr", "host": ""}


def _png(width, height, colour=(35, 74, 107, 255)):
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _post(client, action="save", logo=None, **fields):
    data = {**READABLE, **fields, "action": action, "csrf_token": client.csrf_token()}
    if logo is not None:
        data["logo"] = logo
    return client.post("/t/figeac/admin/branding", data=data, content_type="multipart/form-data")


@pytest.fixture
def admin_client(make_client, figeac):
    client = make_client()
    client.login(figeac.admin)
    return client


def test_contrast_follows_wcag():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # The four demo territories' colours all pass.
    for primary, accent in (("#7a2e1f", "#e9b44c"), ("#234a6b", "#9fd3c7"), ("#1d5e3a", "#f2c14e"),
                            ("#5b3a7a", "#f4d35e")):
        assert all(passes for *_, passes in contrast_report(primary, accent)), (primary, accent)


def test_readable_colours_are_saved_and_served_as_a_stylesheet(admin_client, client, figeac):
    before = client.get("/t/figeac/").get_data(as_text=True)
    response = _post(admin_client)
    assert response.status_code == 302
    db.session.refresh(figeac.territory)
    assert (figeac.territory.primary_color, figeac.territory.accent_color, figeac.territory.region) == (
        "#234a6b", "#9fd3c7", "Lot, Occitanie")
    page = client.get("/t/figeac/").get_data(as_text=True)
    theme = re.search(r'href="(/t/figeac/theme\.css\?v=[0-9a-f]+)"', page).group(1)
    assert theme not in before  # the address changes with the colours, so caches never serve old ones
    css = client.get(theme)
    assert css.mimetype == "text/css" and "--primary: #234a6b" in css.get_data(as_text=True)
    assert css.cache_control.max_age == 365 * 24 * 3600
    assert "<style" not in page and " style=" not in page  # colours never come inline
    assert rows(AuditEntry, action="territory.branding")


@pytest.mark.parametrize("fields, field", [
    ({"primary_color": "#f2c14e"}, "primary_color"),            # white text on yellow
    ({"accent_color": "#2a5f7d"}, "accent_color"),              # accent lost against the primary
    ({"primary_color": "blue"}, "primary_color"),
    ({"host": "https://portal.example.org/"}, "host"),
    ({"default_language": "de"}, "default_language"),
    ({"name": ""}, "name"),
])
def test_bad_branding_is_refused_field_by_field(admin_client, figeac, fields, field):
    response = _post(admin_client, **fields)
    assert response.status_code == 422
    page = text_of(response)
    assert f'id="{field}-error"' in page
    db.session.refresh(figeac.territory)
    assert figeac.territory.primary_color == "#1d5e3a" and figeac.territory.region == ""


def test_contrast_error_says_how_far_off(admin_client):
    page = text_of(_post(admin_client, primary_color="#f2c14e"))
    assert re.search(r"1[.,]\d:1", page) and "4.5:1" in page.replace("4,5", "4.5")


def test_host_name_used_by_another_territory_is_refused(admin_client, figeac, autun):
    autun.territory.host = "services.autun.example"
    db.session.commit()
    response = _post(admin_client, host="Services.Autun.example")
    assert response.status_code == 422 and 'id="host-error"' in text_of(response)
    assert _post(admin_client, host="services.figeac.example").status_code == 302
    assert rows(Territory, slug="figeac")[0].host == "services.figeac.example"


def test_logo_is_resized_stored_under_instance_and_served(admin_client, client, figeac, app):
    response = _post(admin_client, logo=(_png(1200, 600), "logo.png"))
    assert response.status_code == 302
    db.session.refresh(figeac.territory)
    name = figeac.territory.logo_file
    assert re.fullmatch(rf"{figeac.territory.id}-[0-9a-f]{{16}}\.png", name)
    page = client.get("/t/figeac/").get_data(as_text=True)
    assert f'src="/t/figeac/logo/{name}"' in page
    served = client.get(f"/t/figeac/logo/{name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (320, 160)  # fits 480×160, proportions kept
    # Another territory cannot serve it.
    assert client.get(f"/t/autun-morvan/logo/{name}").status_code == 404
    assert client.get("/t/figeac/logo/..%2f..%2fconfig.py").status_code == 404


@pytest.mark.parametrize("upload, message", [
    ((io.BytesIO(b"not an image at all"), "logo.png"), "not an image"),
    ((_png(20, 20), "tiny.png"), "at least"),
    ((io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"), "logo.svg"),
     "not an image"),
])
def test_bad_logo_is_refused(admin_client, figeac, upload, message):
    response = _post(admin_client, logo=upload)
    assert response.status_code == 422
    assert 'id="logo-error"' in text_of(response)
    db.session.refresh(figeac.territory)
    assert figeac.territory.logo_file is None and figeac.territory.primary_color == "#1d5e3a"


def test_too_heavy_logo_is_refused(admin_client, figeac):
    heavy = io.BytesIO(b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10))
    response = _post(admin_client, logo=(heavy, "big.png"))
    assert response.status_code == 422 and "2 Mo" in text_of(response)


def test_preview_shows_the_result_without_saving_then_save_keeps_the_previewed_logo(admin_client, figeac):
    response = _post(admin_client, action="preview", logo=(_png(300, 100), "logo.png"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/t/figeac/theme.css?primary=%23234a6b&amp;accent=%239fd3c7" in page
    pending = re.search(r'name="logo_file" value="([^"]+)"', page).group(1)
    db.session.refresh(figeac.territory)
    assert figeac.territory.primary_color == "#1d5e3a" and figeac.territory.logo_file is None
    preview_css = admin_client.get("/t/figeac/theme.css?primary=%23234a6b&accent=%239fd3c7").get_data(as_text=True)
    assert preview_css.startswith(".brand-preview {") and "--primary: #234a6b" in preview_css
    assert _post(admin_client, logo_file=pending).status_code == 302
    db.session.refresh(figeac.territory)
    assert figeac.territory.logo_file == pending


def test_preview_stylesheet_takes_only_colours(client, figeac):
    assert client.get("/t/figeac/theme.css?primary=red&accent=%23ffffff").status_code == 404
    assert client.get("/t/figeac/theme.css?primary=%23000000;}body{x&accent=%23ffffff").status_code == 404


def test_only_this_territorys_admins_change_its_look(make_client, figeac, autun):
    for user in (figeac.employee, figeac.operator, autun.admin):
        client = make_client()
        client.login(user)
        assert client.get("/t/figeac/admin/branding").status_code == 403
        assert _post(client).status_code == 403
    db.session.refresh(figeac.territory)
    assert figeac.territory.primary_color == "#1d5e3a"


def test_time_zone_is_set_on_its_own_page_the_form_links_to(admin_client):
    page = admin_client.get("/t/figeac/admin/branding").get_data(as_text=True)
    assert 'name="timezone"' not in page and 'href="/t/figeac/admin/territory"' in page
