"""French wording: elision before vowels, and counts that go through ngettext so "1 étapes" cannot happen."""
import os
import re

import pytest
from babel.messages.extract import extract_from_dir

from coopserv.i18n_tools import KEYWORDS, METHOD_MAP, catalog_path, load
from tests.test_translations import PACKAGES
from tests.helpers import text_of

#: A word that elides in French, then a space and a vowel: "de Autun", "que il"… ("le ou la", "-la ensuite",
#: "le onze" and "de un à trois"-style counts are correct French and left alone).
_NO_ELISION = re.compile(r"(?<![-’'\w])(de|De|que|Que|le|Le|la|La|ne|Ne|je|Je|me|te|se) "
                         r"(?!ou\b|onze\b|oui\b)(?=[aeiouàâéèêëîïôûœAEIOUÀÂÉÈÊËÎÏÔÛŒ])")
#: Placeholders that hold a number, when a plural noun follows them in a singular message.
_COUNT = re.compile(r"%\((?!name|ref|status|date|territory|course|publisher|site|level|tool|auditor|rate|score|avg|"
                    r"cost|percent|day|child|house|deadline|pages|widths|service|org|title|time|label|inviter|email|first)\w+\)[sd] "
                    r"([a-z]+s)\b")


@pytest.mark.parametrize("package", PACKAGES, ids=os.path.basename)
def test_french_catalog_elides_before_vowels(package):
    wrong = []
    for message in load(catalog_path(package, "fr")):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            text = re.sub(r"%\(\w+\)[sd]", "X", string or "")
            if _NO_ELISION.search(text):
                wrong.append(string)
    assert wrong == []


@pytest.mark.parametrize("package", PACKAGES, ids=os.path.basename)
def test_counts_shown_in_pages_go_through_ngettext(package):
    """Templates everywhere and the core's Python: a count placeholder before a plural noun needs ngettext.

    Plugins' Python messages (validation of their own settings) are their owners' to change.
    """
    plugin = os.sep + "plugins" + os.sep in package or "coworking" in package
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
            package, METHOD_MAP, keywords=KEYWORDS, options_map={"**/templates/**.html": {"extensions": ""}}):
        if isinstance(message, tuple) or (plugin and filename.endswith(".py")):
            continue
        if _COUNT.search(message):
            found.append(f"{filename}:{lineno}: {message}")
    assert found == []


def test_territory_names_are_elided_in_pages(make_territory, make_user, make_client, client):
    territory = make_territory("autun-morvan", "Autun Morvan")
    admin = make_client()
    admin.login(make_user(territory, "territory_admin"))
    pages = [client.get("/t/autun-morvan/"), client.get("/t/autun-morvan/nowhere"),
             admin.get("/t/autun-morvan/admin/"), admin.get("/t/autun-morvan/needs/")]
    for response in pages:
        text = re.sub(r"<[^>]+>", " ", text_of(response))
        assert "d'Autun Morvan" in text or "Autun Morvan" in text
        assert not re.search(r"\bde Autun", text), response.request.path
    assert "Services d'Autun Morvan" in text_of(pages[0])


def test_english_pages_are_left_alone(make_territory, client):
    make_territory("autun-morvan", "Autun Morvan")
    client.post_form("/language", {"lang": "en", "next": "/t/autun-morvan/"})
    assert "Services of Autun Morvan" in text_of(client.get("/t/autun-morvan/"))
