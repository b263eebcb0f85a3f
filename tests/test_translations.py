"""Both languages are complete: every message in the code has a French translation, compiled."""
import os

import pytest
from babel.messages.mofile import read_mo

from coopserv.i18n_tools import CORE_ROOT, catalog_path, extract, load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = [CORE_ROOT] + sorted(
    os.path.join(ROOT, "plugins", name) for name in os.listdir(os.path.join(ROOT, "plugins"))
    if os.path.isdir(os.path.join(ROOT, "plugins", name, "translations"))
) + [os.path.join(ROOT, "examples", "coopserv-coworking", "coopserv_coworking")]


def _key(value):
    """Plural entries are tuples in .po catalogs and lists in .mo ones."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _translated(string):
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("package", PACKAGES, ids=os.path.basename)
def test_every_message_has_a_french_translation(package):
    french = load(catalog_path(package, "fr"))
    missing = [m.id for m in extract(package) if m.id and (french.get(m.id, context=m.context) is None or
                                                          not _translated(french.get(m.id, context=m.context).string))]
    assert missing == [], f"run `coopserv i18n update --package {package}` and translate: {missing[:10]}"


@pytest.mark.parametrize("package", PACKAGES, ids=os.path.basename)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogs_match_their_sources(package, language):
    source = load(catalog_path(package, language))
    with open(catalog_path(package, language, "mo"), "rb") as handle:
        compiled = read_mo(handle)
    expected = {_key(m.id): _key(m.string) for m in source if m.id and _translated(m.string)}
    actual = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert actual == expected, f"run `coopserv i18n compile --package {package}`"


def test_english_is_the_source_and_french_the_default(client, figeac):
    assert 'lang="fr"' in client.get("/t/figeac/").get_data(as_text=True)
    client.post_form("/language", {"lang": "en", "next": "/t/figeac/"})
    page = client.get("/t/figeac/").get_data(as_text=True)
    assert 'lang="en"' in page and "Services of Figeac" in page
