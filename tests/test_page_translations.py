"""Templates look the catalog up once per page, yet follow every change of language within it."""
from flask import render_template_string, session
from flask_babel import force_locale

PAGE = "{{ _('Accessibility') }}|{{ ngettext('%(num)d request', '%(num)d requests', 2) }}|{{ _('About %(territory)s', territory='Autun') }}"


def test_the_language_of_the_page_then_a_forced_one_then_back(app):
    with app.test_request_context("/"):
        session["lang"] = "fr"
        french = render_template_string(PAGE)
        with force_locale("en"):
            english = render_template_string(PAGE)
        again = render_template_string(PAGE)
    assert french.split("|")[0] == "Accessibilité"
    assert english.split("|")[0] == "Accessibility"
    assert english.split("|")[1] == "2 requests"
    assert again == french


def test_french_elision_applies_only_in_french(app):
    with app.test_request_context("/"):
        session["lang"] = "fr"
        french = render_template_string("{{ _('About %(territory)s', territory='Autun') }}")
        with force_locale("en"):
            english = render_template_string("{{ _('About %(territory)s', territory='Autun') }}")
    assert "d'Autun" in french
    assert english == "About Autun"
