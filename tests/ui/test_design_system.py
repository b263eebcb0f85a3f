"""The design system's rules: one stylesheet and script, no inline style or script, icons, toasts."""
import glob
import json
import os
import re

import pytest

from coopserv.plugin_host import plugin_host
from coopserv.ui.icons import IconError, load_svg, service_icon

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = sorted(
    glob.glob(os.path.join(ROOT, "coopserv", "templates", "**", "*.html"), recursive=True)
    + glob.glob(os.path.join(ROOT, "plugins", "*", "templates", "**", "*.html"), recursive=True)
    + glob.glob(os.path.join(ROOT, "examples", "*", "*", "templates", "**", "*.html"), recursive=True)
)


def _never_served_to_a_browser(path, source):
    """E-mail bodies (mail clients drop stylesheets, so they style inline) and the PDF frame (laid out by
    WeasyPrint on the server): no Content-Security-Policy applies to them."""
    name = os.path.basename(path)
    folder = os.path.basename(os.path.dirname(path))
    if folder == "emails" and (name in ("_layout.html", "_macros.html") or "{% block subject %}" in source):
        return True
    return path.endswith(os.path.join("documents", "_print.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: os.path.relpath(p, ROOT))
def test_templates_have_no_inline_style_or_script(path):
    """The Content-Security-Policy forbids inline code: behaviour lives in static JS, looks in the stylesheet."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    assert not re.search(r"<script(?![^>]*\ssrc=)", source), "inline <script>"
    if _never_served_to_a_browser(path, source):
        return
    assert not re.search(r"\sstyle=", source), "style= attribute"
    assert "<style" not in source, "<style> element"
    assert not re.search(r"\son[a-z]+=", source), "inline event handler"
    assert "hx-on" not in source, "hx-on evaluates inline code"


_FORM = re.compile(r"<form\b(?P<tag>[^>]*)>(?P<body>.*?)</form>", re.S)
_DESTRUCTIVE = re.compile(r'<button\b[^>]*class="[^"]*\b(?:destructive|danger)\b[^"]*"[^>]*>')


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: os.path.relpath(p, ROOT))
def test_destructive_buttons_are_confirmed_and_never_the_primary_action(path):
    """A destructive button asks first (data-confirm on it or its form) and is never styled as the primary one."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    for button in _DESTRUCTIVE.findall(source):
        assert not re.search(r'class="[^"]*\bprimary\b', button), button
    for form in _FORM.finditer(source):
        for button in _DESTRUCTIVE.findall(form.group("body")):
            assert "data-confirm" in form.group("tag") or "data-confirm" in button, button
    outside = _FORM.sub("", source)
    for button in _DESTRUCTIVE.findall(outside):
        assert "data-confirm" in button, button


def test_every_service_type_has_an_svg_icon_shown_on_its_card(client, figeac):
    for kind in plugin_host().service_types.values():
        assert kind.icon.endswith(".svg"), kind.key
        svg = load_svg(kind.icon)
        assert svg.startswith("<svg") and 'aria-hidden="true"' in svg
    page = client.get("/t/figeac/").get_data(as_text=True)
    card = page.split("Conciergerie inter-entreprises")[0].rsplit('<li class="card', 1)[1]
    assert '<svg class="icon"' in card


def test_icons_are_cleaned_of_anything_that_runs(tmp_path):
    sneaky = tmp_path / "icon.svg"
    sneaky.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" onload="alert(1)">'
                      '<script>alert(2)</script><path d="M0 0h24" style="fill:red"/>'
                      '<a href="javascript:alert(3)"><path d="M1 1"/></a></svg>')
    svg = load_svg(str(sneaky))
    assert "alert" not in svg and "style" not in svg and "width" not in svg and "<path" in svg
    (tmp_path / "bad.svg").write_text("<html></html>")
    with pytest.raises(IconError):
        load_svg(str(tmp_path / "bad.svg"))


def test_an_old_style_text_icon_still_shows():
    class Kind:
        icon, label = "🧺", "Basket"

    assert "🧺" in service_icon(Kind()) and 'aria-hidden="true"' in service_icon(Kind())
    Kind.icon = ""
    assert ">B<" in service_icon(Kind())


def test_favicon_answers_instead_of_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page and client.get("/static/favicon.svg").status_code == 200


def test_styleguide_shows_the_components_in_development_only(client, app):
    page = client.get("/styleguide").get_data(as_text=True)
    for component in ('class="destructive"', 'class="empty"', 'class="tabs"', 'class="filters"', "<table",
                      'class="pagination"', 'class="calendar"', 'class="error-summary"', "data-demo-toast",
                      'class="kpi'):
        assert component in page, component
    app.config["PRODUCTION"] = True
    assert client.get("/styleguide").status_code == 404


def test_htmx_actions_report_their_flashed_message_as_a_toast(make_client, figeac, catalogue, order_form):
    employee = make_client()
    employee.login(figeac.employee)
    location = employee.post_form("/t/figeac/services/concierge/requests", order_form).headers["Location"]
    request_id = location.rsplit("/", 1)[1]
    operator = make_client()
    operator.login(figeac.operator)
    response = operator.post_form(f"/t/figeac/requests/{request_id}/transition", {"transition": "accept"},
                                  headers={"HX-Request": "true"})
    assert response.status_code == 200
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["coopserv:toast"] and trigger["coopserv:toast"][0]["message"]
    # Shown once: the next full page does not repeat it.
    assert 'class="flash' not in operator.get("/t/figeac/").get_data(as_text=True)


def test_flashes_survive_an_htmx_redirect(client, figeac):
    from flask import flash

    from coopserv.web import flashes_as_toasts

    class Response:
        status_code = 204
        headers = {"HX-Redirect": "/t/figeac/"}

    with client.application.test_request_context("/t/figeac/", headers={"HX-Request": "true"}):
        flash("kept for the next page", "success")
        from flask import session

        flashes_as_toasts(Response())
        assert session["_flashes"]
