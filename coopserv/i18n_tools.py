"""Keep gettext catalogs in step with the code: extract, update and compile, for the core or a plugin.

French is written by translators; the English catalog is filled with the
English msgids themselves, so both catalogs are complete by construction.
"""
import os
from io import BytesIO

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
METHOD_MAP = [("**/tests/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
LANGUAGES = ("fr", "en")
CORE_ROOT = os.path.dirname(os.path.abspath(__file__))


def extract(package_dir):
    """Collect every translatable message under ``package_dir`` into a Catalog."""
    catalog = Catalog(project="coopserv", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        package_dir, METHOD_MAP, keywords=KEYWORDS, options_map={"**/templates/**.html": {"extensions": ""}}
    ):
        catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def translations_dir(package_dir):
    return os.path.join(package_dir, "translations")


def catalog_path(package_dir, language, extension="po"):
    return os.path.join(translations_dir(package_dir), language, "LC_MESSAGES", f"messages.{extension}")


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return read_po(handle)


def update(package_dir):
    """Merge the extracted messages into each language's catalog; return untranslated French msgids."""
    template = extract(package_dir)
    missing = []
    for language in LANGUAGES:
        path = catalog_path(package_dir, language)
        existing = load(path)
        catalog = Catalog(locale=language, project="coopserv", charset="utf-8")
        for message in template:
            if not message.id:
                continue
            previous = existing.get(message.id, context=message.context) if existing else None
            if language == "en":
                string = message.id
            else:
                string = previous.string if previous is not None else ("", "") if isinstance(message.id, tuple) else ""
            catalog.add(message.id, string, locations=[], context=message.context)
            translated = string if not isinstance(string, tuple) else all(string)
            if language == "fr" and not translated:
                missing.append(message.id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            write_po(handle, catalog, omit_header=False, sort_output=True, width=0, no_location=True)
    return missing


def compile_catalogs(package_dir):
    """Write the .mo file next to each .po file."""
    for language in LANGUAGES:
        catalog = load(catalog_path(package_dir, language))
        if catalog is None:
            continue
        buffer = BytesIO()
        write_mo(buffer, catalog)
        with open(catalog_path(package_dir, language, "mo"), "wb") as handle:
            handle.write(buffer.getvalue())


@click.group("i18n")
def i18n_group():
    """Update and compile translation catalogs (core, or a plugin with --package)."""


@i18n_group.command("update")
@click.option("--package", "package_dir", default=CORE_ROOT, type=click.Path(exists=True, file_okay=False),
              help="Package folder to scan (default: the core).")
def update_command(package_dir):
    """Extract messages and merge them into fr and en catalogs, listing French gaps."""
    missing = update(package_dir)
    click.echo(f"{len(missing)} French message(s) to translate in {catalog_path(package_dir, 'fr')}")
    for message in missing:
        click.echo(f"  {message}")


@i18n_group.command("compile")
@click.option("--package", "package_dir", default=CORE_ROOT, type=click.Path(exists=True, file_okay=False))
def compile_command(package_dir):
    """Compile the catalogs to .mo files."""
    compile_catalogs(package_dir)
    click.echo(f"Compiled catalogs in {translations_dir(package_dir)}")
