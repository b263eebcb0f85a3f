"""The configuration page of every installed service (discovered, not listed) renders in every language
and takes its own form back unchanged: what a territory admin does first with a new service."""
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from coopserv import create_app
from coopserv.config import DefaultConfig
from coopserv.extensions import db
from coopserv.modules.models import ServiceModule


def _service_keys():
    app = create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(app.extensions["coopserv"].service_types)


SERVICE_KEYS = _service_keys()


class _Forms(HTMLParser):
    """The page's forms as a browser would submit them: (action, {name: value or [values]})."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "file"):
                self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = {"name": a.get("name"), "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            if self._select["name"] and chosen is not None:
                self._form["fields"].append((self._select["name"], chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def _configuration_form(page):
    parser = _Forms()
    parser.feed(page)
    return next(form for form in parser.forms if form["method"] == "post" and form["action"] == "")


@pytest.fixture
def territory_with(make_territory, make_organization, make_user, enable_module, make_client):
    def build(service_key, language):
        territory = make_territory("figeac", "Figeac")
        make_organization(territory, "Figeac Aéro")
        module = enable_module(territory, service_key, stage="pilot")
        admin = make_client()
        admin.login(make_user(territory, "territory_admin"))
        admin.post_form("/language", {"lang": language, "next": "/"})
        admin._csrf = None
        return territory, module, admin

    return build


def test_every_installed_service_is_checked():
    assert {"concierge", "spouse_welcome", "childminder_house", "iot_training", "mobility", "smart_parking"} \
        <= set(SERVICE_KEYS)


@pytest.mark.parametrize("language", DefaultConfig.LANGUAGES)
@pytest.mark.parametrize("service_key", SERVICE_KEYS)
def test_the_configuration_page_renders_and_takes_its_form_back_unchanged(territory_with, scoped, service_key,
                                                                         language):
    territory, module, admin = territory_with(service_key, language)
    before = dict(module.config or {})
    url = f"/t/figeac/admin/modules/{service_key}"
    page = admin.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[-2000:]
    assert f'lang="{language}"' in page.get_data(as_text=True)
    form = _configuration_form(page.get_data(as_text=True))
    response = admin.post(url, data=MultiDict(form["fields"]))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with scoped(territory):
        db.session.expire_all()
        after = db.session.get(ServiceModule, module.id).config
    assert after == before
    assert admin.get(url).status_code == 200


def test_a_percent_sign_in_a_label_from_data_renders_in_every_template(app):
    """The class of bug behind the crashed pages: Jinja's _() %-formatted even without variables."""
    from flask import render_template_string

    template = ('{{ _(label) }}|{{ _("Public share (%%)") }}|{{ _("Error %(status)s", status=code) }}|'
                '{{ ngettext("%(num)s item", "%(num)s items", 2) }}')
    with app.test_request_context():
        for label in ("Occupancy (%)", "100% %(missing)s", "50 %d"):
            rendered = render_template_string(template, label=label, code="<b>")
            first, second, third, fourth = rendered.split("|")
            assert first == label.replace("<", "&lt;")
            assert second == "Part publique (%)"
            assert third == "Erreur &lt;b&gt;"
            assert fourth.startswith("2 ")
