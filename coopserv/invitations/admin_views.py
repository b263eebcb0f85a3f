"""The admin's invitation pages: invite one or many people, copy or resend a link, revoke, print a poster.

Writing goes through ``coopserv.invitations.services``; these views parse the forms and render.
"""
import re

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.accounts.models import COMPANY_REFERENT, TERRITORY_ADMIN
from coopserv.extensions import db
from coopserv.organizations.models import Organization
from coopserv.web import form_data, roles_required, territory_blueprint

from . import services
from .models import PENDING
from .schemas import InvitationCreateSchema

bp = territory_blueprint("invitation_admin", __name__, url_prefix="/admin/invitations")
#: Addresses one form may invite at once (larger lists go through the CSV import).
MAX_AT_ONCE = 200
PENDING_SHOWN = 100


def split_addresses(text):
    """The addresses typed one per line or separated by commas, semicolons or spaces."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def pending_invitations(organization_id=None):
    """The invitations waiting for an answer (to one organization, if given), newest first, with their links."""
    rows = services.list_invitations(status=PENDING, limit=PENDING_SHOWN, organization_id=organization_id)
    return [(invitation, services.link_for(invitation)) for invitation in rows]


def _back(organization_id=None):
    if organization_id:
        return redirect(url_for("admin.organization_page", organization_id=organization_id, _anchor="invite"))
    return redirect(url_for("admin.members", _anchor="invite"))


@bp.post("/")
@roles_required(TERRITORY_ADMIN)
def create():
    """Invite every address typed (one or many) with the chosen role and organization.

    An organization without a referent yet invites its referents (``referent_emails``) and its
    employees (``emails``) in one form.
    """
    values = form_data()
    addresses = ([(address, COMPANY_REFERENT) for address in split_addresses(values.get("referent_emails"))]
                 + [(address, values.get("role")) for address in split_addresses(values.get("emails"))])
    back_to = request.form.get("back_to_organization", type=int)
    if not addresses:
        flash(_("Type at least one e-mail address."), "error")
        return _back(back_to)
    if len(addresses) > MAX_AT_ONCE:
        flash(_("Invite at most %(count)d people at once; use the CSV import for more.", count=MAX_AT_ONCE), "error")
        return _back(back_to)
    schema, rows, problems = InvitationCreateSchema(), [], []
    for address, role in addresses:
        try:
            rows.append(schema.load({"email": address, "role": role,
                                     "organization_id": values.get("organization_id") or None}))
        except ValidationError as error:
            problems.append(_("%(address)s: %(message)s", address=address, message=_first_message(error.messages)))
    if problems:  # nothing is sent while one address is wrong
        for problem in problems:
            flash(problem, "error")
        return _back(back_to)
    invited = 0
    for data in rows:
        try:
            services.invite(data, invited_by=current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(_("%(address)s: %(message)s", address=data["email"], message=_first_message(error.messages)),
                  "error")
        else:
            invited += 1
    if invited:
        flash(ngettext("%(num)d invitation sent; its link is also listed below to copy.",
                       "%(num)d invitations sent; their links are also listed below to copy.", invited), "success")
    return _back(back_to)


def _first_message(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            return _first_message(value)
    if isinstance(messages, (list, tuple)) and messages:
        return _first_message(messages[0])
    return str(messages)


def _invitation_or_404(invitation_id):
    invitation = services.get_invitation(invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.post("/<int:invitation_id>/resend")
@roles_required(TERRITORY_ADMIN)
def resend(invitation_id):
    try:
        services.resend(_invitation_or_404(invitation_id), actor=current_user)
    except ValidationError as error:
        db.session.rollback()
        flash(_first_message(error.messages), "error")
    else:
        flash(_("The invitation is sent again with a new link; the old one no longer works."), "success")
    return _back()


@bp.post("/<int:invitation_id>/revoke")
@roles_required(TERRITORY_ADMIN)
def revoke(invitation_id):
    try:
        services.revoke(_invitation_or_404(invitation_id), actor=current_user)
    except ValidationError as error:
        db.session.rollback()
        flash(_first_message(error.messages), "error")
    else:
        flash(_("The invitation is revoked: its link no longer works."), "success")
    return _back()


def signup_link(organization):
    """The link employees follow to join ``organization`` (its invitation code filled in)."""
    return url_for("membership.signup", code=organization.invitation_code, _external=True)


def qr_svg(link):
    """An inline SVG QR code of ``link`` (segno writes plain SVG: no script, no inline style)."""
    return Markup(segno.make(link, error="m").svg_inline(scale=6, border=2, title=link))


@bp.get("/poster/<int:organization_id>")
@roles_required(TERRITORY_ADMIN)
def poster(organization_id):
    """A printable notice-board poster: scan the code (or type the link) to join the organization."""
    organization = db.session.scalar(select(Organization).filter_by(id=organization_id))
    if organization is None:
        abort(404)
    link = signup_link(organization)
    return render_template("invitations/poster.html", organization=organization, link=link, qr=qr_svg(link))
