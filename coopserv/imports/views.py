"""Territory admins import organizations and members from CSV: upload, preview, confirm."""
import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.extensions import db
from coopserv.invitations import services as invitations
from coopserv.web import roles_required, territory_blueprint

from . import parsing, services

bp = territory_blueprint("imports", __name__, url_prefix="/admin/imports")
#: Lines shown on a preview page (every error is downloadable as CSV).
SHOWN = 100
#: Invitations e-mailed within one web request; the rest go by the next click or `coopserv invitations send`.
SEND_PER_REQUEST = 200


def _batch_or_404(batch_id):
    batch = services.get_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


def _index(errors=None, values=None, status=200):
    return render_template("imports/index.html", batches=services.recent_batches(), errors=errors or {},
                           values=values or {}, headers=parsing.HEADERS, unsent=invitations.unsent_count(),
                           kinds=parsing.KINDS), status


@bp.get("/")
@roles_required(TERRITORY_ADMIN)
def index():
    return _index()


@bp.post("/")
@roles_required(TERRITORY_ADMIN)
def upload():
    """Check the file and show what importing it would do; nothing is imported yet."""
    kind = request.form.get("kind", "")
    upload_ = request.files.get("file")
    raw = upload_.read(parsing.MAX_BYTES + 1) if upload_ and upload_.filename else b""
    try:
        batch = services.preview(kind, raw, upload_.filename if upload_ else "", current_user)
    except ValidationError as error:
        db.session.rollback()
        return _index({**error.messages, "kind_failed": kind}, {"kind": kind}, 422)
    return redirect(url_for("imports.batch", batch_id=batch.id))


@bp.get("/<int:batch_id>")
@roles_required(TERRITORY_ADMIN)
def batch(batch_id):
    batch_ = _batch_or_404(batch_id)
    return render_template("imports/batch.html", batch=batch_, rows=batch_.rows[:SHOWN],
                           errors=batch_.errors[:SHOWN], shown=SHOWN, unsent=invitations.unsent_count(),
                           role_name=services.role_name)


@bp.post("/<int:batch_id>/apply")
@roles_required(TERRITORY_ADMIN)
def apply(batch_id):
    """Import the valid lines (all or none of them), then send the first invitations."""
    batch_ = _batch_or_404(batch_id)
    try:
        counts = services.apply(batch_, current_user)
    except services.AlreadyApplied:
        db.session.rollback()
        flash(_("This file was already imported."), "info")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    sent = invitations.send_pending(limit=SEND_PER_REQUEST) if counts.get("invite") else 0
    flash(_("The import is done.") + (" " + ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", sent) if sent else ""),
          "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.post("/<int:batch_id>/discard")
@roles_required(TERRITORY_ADMIN)
def discard(batch_id):
    batch_ = _batch_or_404(batch_id)
    try:
        services.discard(batch_, current_user)
    except services.AlreadyApplied:
        db.session.rollback()
        abort(409)
    flash(_("The file was set aside; nothing was imported."), "success")
    return redirect(url_for("imports.index"))


@bp.post("/invitations/send")
@roles_required(TERRITORY_ADMIN)
def send_invitations():
    """Send the next invitations waiting to go out."""
    sent = invitations.send_pending(limit=SEND_PER_REQUEST)
    flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", sent), "success")
    batch_id = request.form.get("batch_id", type=int)
    if batch_id and 0 < batch_id < 2**31:
        return redirect(url_for("imports.batch", batch_id=batch_id))
    return redirect(url_for("imports.index"))


@bp.get("/<int:batch_id>/errors.csv")
@roles_required(TERRITORY_ADMIN)
def errors_csv(batch_id):
    batch_ = _batch_or_404(batch_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Line"), _("Column"), _("Problem")])
    for error in batch_.errors:
        writer.writerow([error["line"], error["field"], error["message"]])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=import-{batch_.id}-errors.csv"})


@bp.get("/example-<kind>.csv")
@roles_required(TERRITORY_ADMIN)
def example(kind):
    if kind not in parsing.KINDS:
        abort(404)
    return Response("\ufeff" + services.example_csv(kind), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={kind}-example.csv"})
