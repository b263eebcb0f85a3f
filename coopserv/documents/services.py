"""Documents: builders declared by name, their HTML rendered in the reader's language, PDFs made by a job.

A builder is a function ``builder(object_id)`` declared with ``@document("kind")``
that returns ``(template, context, filename)`` for an object of the territory
in scope, or None when there is no such object. The template is rendered on
its own (no web page context), so the same call works in a request and in a
worker. The HTML's digest is the document's version: the PDF is rebuilt only
when what it says changes.
"""
import hashlib

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select

from coopserv.documents.models import StoredDocument
from coopserv.extensions import db
from coopserv.tenancy import territory_scope

_BUILDERS = {}


def document(kind):
    """Declare the builder of a kind of document (at import, in a module the app loads)."""

    def decorator(builder):
        _BUILDERS[kind] = builder
        return builder

    return decorator


def render_html(kind, object_id, territory, language):
    """(html, filename) of a document in ``language``, or None when the object does not exist here."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise KeyError(f"No document builder named {kind!r}.")
    with territory_scope(territory), force_locale(language):
        built = builder(object_id)
        if built is None:
            return None
        template, context, filename = built
        page = current_app.jinja_env.get_template(template)
        html = page.render(territory=territory, current_locale=language, **context)
    return html, filename


def version_of(html):
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def stored(territory, kind, object_id, language, version):
    with territory_scope(territory):
        return db.session.scalar(select(StoredDocument).filter_by(kind=kind, object_id=object_id, language=language,
                                                                  version=version))


def build_pdf(html):
    """Lay the HTML out as PDF (WeasyPrint: fonts and layout by Pango, no browser)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def build_and_store(territory, kind, object_id, language):
    """Make the PDF of the document as it is now and keep it (older versions are dropped); return the row."""
    rendered = render_html(kind, object_id, territory, language)
    if rendered is None:
        return None
    html, filename = rendered
    version = version_of(html)
    existing = stored(territory, kind, object_id, language, version)
    if existing is not None:
        return existing
    content = build_pdf(html)
    with territory_scope(territory):
        db.session.execute(delete(StoredDocument).where(
            StoredDocument.territory_id == territory.id, StoredDocument.kind == kind,
            StoredDocument.object_id == object_id, StoredDocument.language == language))
        row = StoredDocument(kind=kind, object_id=object_id, language=language, version=version, filename=filename,
                             content=content)
        db.session.add(row)
        db.session.commit()
    return row
