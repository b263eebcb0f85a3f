"""API of the territory's public events: which events visitors see and register to, and their registrations.

What the *Public pages* admin page does, for territory admins' tokens: the
same schema and the same services (``coopserv.public.services``), which audit
every change.
"""
from flask import abort
from flask_login import current_user
from marshmallow import ValidationError, fields
from sqlalchemy import select

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.common import paginate
from coopserv.api.fields import UtcDateTime, invalid, row_or_404
from coopserv.governance.models import EVENT_KINDS, GovernanceEvent
from coopserv.public import services
from coopserv.public.models import PublicRegistration
from coopserv.public.schemas import PublicationSchema
from coopserv.schemas import Schema

blp = territory_api_blueprint("api_public_events", __name__, "/public-events",
                              "Events shown on the public pages and visitors' registrations (territory admins).")


class PublicEventOutSchema(Schema):
    event_id = fields.Integer()
    kind = fields.String(metadata={"description": ", ".join(EVENT_KINDS)})
    title = fields.String()
    starts_at = UtcDateTime()
    published = fields.Boolean(metadata={"description": "Shown on the public pages."})
    registration_open = fields.Boolean(metadata={"description": "Visitors may register (until the event starts)."})
    accepts_registrations = fields.Boolean(
        metadata={"description": "Registration is open and the event has not started: the form is shown."})
    capacity = fields.Integer(allow_none=True, metadata={"description": "Places for visitors; null: no limit."})
    registrations = fields.Integer(metadata={"description": "Visitors registered."})


class PublicRegistrationOutSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    company = fields.String()
    created_at = UtcDateTime()


def _out(event, publication, count):
    return {"event_id": event.id, "kind": event.kind, "title": event.title, "starts_at": event.starts_at,
            "published": publication is not None,
            "registration_open": bool(publication and publication.registration_open),
            "accepts_registrations": bool(publication and services.accepts_registrations(event, publication)),
            "capacity": publication.capacity if publication else None, "registrations": count}


def _described(event):
    [row] = services.event_publications([event])
    return _out(*row)


@blp.route("/")
@blp.response(200, PublicEventOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_public_events(pagination_parameters):
    """Every event of the territory, latest first, with whether it is public and takes visitors' registrations."""
    require_role(TERRITORY_ADMIN)
    query = select(GovernanceEvent).order_by(GovernanceEvent.starts_at.desc(), GovernanceEvent.id.desc())
    return [_out(*row) for row in services.event_publications(paginate(query, pagination_parameters))]


@blp.route("/<int:event_id>")
@blp.response(200, PublicEventOutSchema)
@blp.doc(security=[BEARER])
def get_public_event(event_id):
    """One event's publication and its visitors' count."""
    require_role(TERRITORY_ADMIN)
    return _described(row_or_404(GovernanceEvent, event_id))


@blp.route("/<int:event_id>", methods=["PUT"])
@blp.arguments(PublicationSchema)
@blp.response(200, PublicEventOutSchema)
@blp.doc(security=[BEARER])
def set_publication(data, event_id):
    """Publish or withdraw an event, open or close it to visitors (with places); as the admin page, audited.

    The body is the whole publication: ``published`` left out withdraws the
    event, ``registration_open`` left out closes its registrations.
    """
    require_role(TERRITORY_ADMIN)
    event = row_or_404(GovernanceEvent, event_id)
    try:
        services.set_publication({**data, "event_id": event.id}, current_user)
    except ValidationError as error:
        invalid(error)
    return _described(event)


@blp.route("/<int:event_id>/registrations")
@blp.response(200, PublicRegistrationOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_registrations(event_id, pagination_parameters):
    """Visitors registered to an event, first registered first (withdrawn events keep theirs until deleted)."""
    require_role(TERRITORY_ADMIN)
    event = row_or_404(GovernanceEvent, event_id)
    query = select(PublicRegistration).filter_by(event_id=event.id).order_by(PublicRegistration.id)
    return paginate(query, pagination_parameters)


@blp.route("/<int:event_id>/registrations/<int:registration_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=[BEARER])
def delete_registration(event_id, registration_id):
    """Cancel a visitor's registration: it is deleted (their request, or an obvious abuse), and audited."""
    require_role(TERRITORY_ADMIN)
    registration = row_or_404(PublicRegistration, registration_id)
    if registration.event_id != event_id:
        abort(404)
    services.delete_registration(registration, current_user)
