"""Answer a PDF download: the stored PDF when its version is there, else build it by a job and say so."""
from io import BytesIO

from flask import abort, render_template, send_file
from flask_babel import get_locale

from coopserv.documents import services
from coopserv.documents.jobs import build_document
from coopserv.extensions import db
from coopserv.jobs import enqueue
from coopserv.tenancy import current_territory

#: Seconds a browser waits before asking again while the PDF is being made.
RETRY_AFTER = 3


def pdf_response(kind, object_id):
    """The PDF of ``kind``/``object_id`` for the current territory and reader (access checked by the caller)."""
    territory, language = current_territory(), str(get_locale())
    rendered = services.render_html(kind, object_id, territory, language)
    if rendered is None:
        abort(404)
    html, _filename = rendered
    version = services.version_of(html)
    row = services.stored(territory, kind, object_id, language, version)
    if row is None:
        enqueue(build_document, territory_id=territory.id, kind=kind, object_id=object_id, language=language)
        db.session.rollback()  # end this request's read transaction: see what the job stored
        row = services.stored(territory, kind, object_id, language, version)
    if row is None:
        response = render_template("documents/pending.html", retry=RETRY_AFTER), 202
        return response[0], 202, {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    return send_file(BytesIO(row.content), mimetype="application/pdf", as_attachment=True,
                     download_name=row.filename, max_age=0)
