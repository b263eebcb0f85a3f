"""Administration of a network under /n/<network>/admin: member territories, partners and coordinators.

Coordinators and platform operators run it (the same check as the network's
other coordinator pages); every write goes through ``network.services``,
which the CLI uses too, and is noted in the network's log.
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from coopserv.extensions import db, limiter
from coopserv.territories.models import Territory
from coopserv.web import form_data, json_error, wants_json

from . import access, services
from .models import PARTNER_ROLES
from .schemas import MemberTerritorySchema, NetworkCoordinatorSchema, NetworkPartnerSchema
from .views import _context, bp, coordinator_required

#: Admin writes per coordinator: generous for a person, a wall for a script gone wrong.
WRITE_LIMIT = "60 per minute"


def _admin_page(errors=None, failed=None, values=None, status=200):
    """The page, with a failed form's values and field errors shown where that form is."""
    network = access.current_network()
    return render_template("network/admin.html", **_context(
        territories=services.member_territories(network),
        candidate_options=[(t.slug, t.name) for t in services.candidate_territories(network)],
        partner_options=[(p.id, p.name) for p in network.partners],
        coordinators=services.coordinators(network), entries=services.audit_entries(network),
        role_options=[(key, _(label)) for key, label in PARTNER_ROLES.items()],
        role_labels={key: _(label) for key, label in PARTNER_ROLES.items()},
        errors=errors or {}, failed=failed, values=values or {})), status


def _done(message, status=200, **body):
    if wants_json():
        return body, status
    flash(message, "success")
    return redirect(url_for("network.admin"))


def _refused(error, failed, values):
    db.session.rollback()
    if wants_json():
        return json_error(422, _("Please correct the fields marked below."), error.messages)
    return _admin_page(error.messages, failed, values, 422)


@bp.get("/admin")
@coordinator_required
def admin():
    return _admin_page()


@bp.post("/admin/territories")
@coordinator_required
@limiter.limit(WRITE_LIMIT)
def add_territory():
    values = form_data()
    try:
        territory = services.join_territory(access.current_network(), MemberTerritorySchema().load(values),
                                            current_user)
    except ValidationError as error:
        return _refused(error, "territory", values)
    return _done(_("%(territory)s is a member of the network.", territory=territory.name), 201,
                 territory=territory.slug)


@bp.post("/admin/territories/<int:territory_id>/remove")
@coordinator_required
@limiter.limit(WRITE_LIMIT)
def remove_territory(territory_id):
    network = access.current_network()
    if territory_id not in services.territory_ids(network):
        abort(404)
    territory = db.session.get(Territory, territory_id)
    services.remove_territory(network, territory, current_user)
    return _done(_("%(territory)s has left the network.", territory=territory.name), removed=territory.slug)


@bp.post("/admin/partners")
@coordinator_required
@limiter.limit(WRITE_LIMIT)
def save_partner():
    values = form_data()
    try:
        partner = services.save_partner(access.current_network(), NetworkPartnerSchema().load(values), current_user)
    except ValidationError as error:
        return _refused(error, "partner", values)
    return _done(_("%(name)s is saved among the network's partners.", name=partner.name), 201, id=partner.id)


@bp.post("/admin/partners/<int:partner_id>/remove")
@coordinator_required
@limiter.limit(WRITE_LIMIT)
def remove_partner(partner_id):
    network = access.current_network()
    partner = services.get_partner(network, partner_id)
    if partner is None:
        abort(404)
    name = partner.name
    services.remove_partner(network, partner, current_user)
    return _done(_("%(name)s is no longer a partner of the network.", name=name), removed=partner_id)


@bp.post("/admin/coordinators")
@coordinator_required
@limiter.limit(WRITE_LIMIT)
def add_coordinator():
    values = form_data()
    try:
        member = services.name_coordinator(access.current_network(), NetworkCoordinatorSchema().load(values),
                                           current_user)
    except ValidationError as error:
        return _refused(error, "coordinator", values)
    return _done(_("%(name)s coordinates the network.", name=member.user.name), 201, id=member.id)


@bp.post("/admin/coordinators/<int:member_id>/remove")
@coordinator_required
@limiter.limit(WRITE_LIMIT)
def remove_coordinator(member_id):
    network = access.current_network()
    member = services.get_coordinator(network, member_id)
    if member is None:
        abort(404)
    name = member.user.name
    try:
        services.remove_coordinator(network, member, current_user)
    except ValidationError as error:
        return _refused(error, "coordinators", {})
    if not wants_json() and not access.is_coordinator(network, current_user, fresh=True):
        flash(_("%(name)s no longer coordinates the network.", name=name), "success")
        return redirect(url_for("site.index"))
    return _done(_("%(name)s no longer coordinates the network.", name=name), removed=member_id)
