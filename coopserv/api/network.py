"""API of a network of territories: coordinators' side-by-side views; the library and events for members.

Two kinds of token open it: a coordinator's network token (``cpn_…``, made on
the network's API page), and a territory token (``cps_…``) of a member
territory, which reads what the network shares and acts in its own territory.
"""
from flask import abort, g
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields

from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import API_PREFIX, bearer_token, refuse_platform_token, refuse_writes_of_read_only
from coopserv.api.common import get_or_404, invalid, paginate, paginate_list, refuse
from coopserv.extensions import db
from coopserv.indicators.services import months_between
from coopserv.network import access, events, practices, services
from coopserv.network.models import EVENT_KINDS, NetworkEvent, PracticeSheet
from coopserv.network.schemas import (
    SeminarSessionSchema,
    AttendanceSchema,
    LibraryQuerySchema,
    MinutesSchema,
    PracticeSheetSchema,
    RegistrationSchema,
)
from coopserv.network.schemas import NetworkEventSchema as NetworkEventInSchema
from coopserv.projects.models import STAGES
from coopserv.schemas import Id, Schema, one_of, sane_date
from coopserv.tenancy import territory_scope
from coopserv.territories.models import Territory
from coopserv.tokens.services import authenticate as authenticate_territory_token

blp = Blueprint("api_network", __name__, url_prefix=f"{API_PREFIX}/networks/<network_slug>",
                description="A network of territories: side-by-side views, practices library, seminars.")


@blp.url_value_preprocessor
def _load(endpoint, values):
    access.require_network(values.pop("network_slug"))


@blp.before_request
def _authenticate():
    """A coordinator's network token, or a territory token of a member territory; nothing else."""
    network = access.current_network()
    secret = bearer_token()
    token = services.authenticate_token(secret)
    if token is not None:
        if token.network_id != network.id:
            abort(403, "This token belongs to another network.")
        refuse_writes_of_read_only(token)
        g._login_user = token.user
        if not access.is_coordinator(network, token.user):
            abort(403, "The token's owner no longer coordinates this network.")
        g.network_territory = None
        return
    token = authenticate_territory_token(secret)
    if token is None:
        refuse_platform_token(secret)
        abort(401, "A valid personal access token is required (Authorization: Bearer …).")
    refuse_writes_of_read_only(token)
    if token.territory_id not in services.territory_ids(network):
        abort(403, "This token's territory is not a member of this network.")
    g._login_user = token.user
    if token.territory_id not in access.member_roles(network, token.user) and not token.user.is_platform_admin:
        abort(403, "The token's owner is not a member of this territory.")
    g.network_territory = db.session.get(Territory, token.territory_id)


def _coordinators_only():
    if g.network_territory is not None or not access.is_coordinator(access.current_network()):
        abort(403, "Only the network's coordinators (with a network token) read this.")


# -- schemas --------------------------------------------------------------------------------------------
class TerritoryRefSchema(Schema):
    slug = fields.String()
    name = fields.String()
    region = fields.String()


class PartnerOutSchema(Schema):
    name = fields.String()
    role = fields.String()


class NetworkOutSchema(Schema):
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    territories = fields.List(fields.Nested(TerritoryRefSchema))
    partners = fields.List(fields.Nested(PartnerOutSchema))


class StageCountsSchema(Schema):
    territory = fields.Nested(TerritoryRefSchema)
    stages = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "Projects per stage: " + ", ".join(STAGES)})


class DecisionOutSchema(Schema):
    outcome = fields.String()
    decided_on = fields.Date()
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    votes_abstain = fields.Integer()


class NetworkProjectSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    territory = fields.Nested(TerritoryRefSchema)
    service_key = fields.String(allow_none=True)
    stage = fields.String()
    outcome = fields.String(allow_none=True)
    decision = fields.Nested(DecisionOutSchema, allow_none=True)


class NetworkDecisionSchema(DecisionOutSchema):
    territory = fields.Nested(TerritoryRefSchema)
    project_id = fields.Integer(allow_none=True)
    project_title = fields.String(allow_none=True)


class ProjectQuerySchema(Schema):
    stage = fields.String(validate=one_of(list(STAGES)))
    territory = fields.String(metadata={"description": "A member territory's slug."})


class PeriodSchema(Schema):
    start = fields.Date(required=True, validate=sane_date(), metadata={"description": "First month (any day)."})
    end = fields.Date(required=True, validate=sane_date(), metadata={"description": "Last month, included."})


class MonthSchema(Schema):
    month = fields.Date(required=True, validate=sane_date(), metadata={"description": "The month (any day of it)."})


class IndicatorRefSchema(Schema):
    key = fields.String()
    label = fields.String()
    unit = fields.String()
    service_key = fields.String(allow_none=True)
    per_employees = fields.Boolean()


class IndicatorValueSchema(Schema):
    territory = fields.Nested(TerritoryRefSchema)
    value = fields.Float(allow_none=True)
    per_thousand_employees = fields.Float(allow_none=True)


class IndicatorComparisonSchema(Schema):
    indicator = fields.Nested(IndicatorRefSchema)
    values = fields.List(fields.Nested(IndicatorValueSchema))


class ResultSchema(Schema):
    indicator = fields.String()
    label = fields.String()
    unit = fields.String()
    target = fields.Float()
    measured = fields.Float(allow_none=True)
    reached = fields.Boolean()


class NetworkRiskOutSchema(Schema):
    title = fields.String()
    category = fields.String()
    mitigation = fields.String()


class SheetSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    territory = fields.Nested(TerritoryRefSchema, attribute="source_territory")
    service_key = fields.String(allow_none=True)
    stage = fields.String()
    outcome = fields.String(allow_none=True)
    replicable = fields.Function(lambda sheet: sheet.template is not None, metadata={"type": "boolean"})
    updated_at = fields.DateTime()


class SheetSchema(SheetSummarySchema):
    context = fields.String()
    need = fields.String()
    service = fields.String()
    partners = fields.String()
    costs = fields.String()
    running_cost = fields.Integer()
    public_share = fields.Integer()
    results = fields.List(fields.Nested(ResultSchema))
    lessons = fields.String()
    risks = fields.List(fields.Nested(NetworkRiskOutSchema))
    published_at = fields.DateTime()


class ReplicatedSchema(Schema):
    sheet_id = fields.Integer()
    territory = fields.String()
    project_id = fields.Integer()


class AgendaOutSchema(Schema):
    starts_at = fields.Time(allow_none=True)
    title = fields.String()
    speaker = fields.String()


class NetworkEventSummarySchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": ", ".join(EVENT_KINDS)})
    title = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    place = fields.String()
    host_territory = fields.Nested(TerritoryRefSchema, allow_none=True)


class NetworkEventSchema(NetworkEventSummarySchema):
    description = fields.String()
    organisers = fields.List(fields.Nested(PartnerOutSchema))
    agenda = fields.List(fields.Nested(AgendaOutSchema))
    registered = fields.Integer(metadata={"description": "People registered."})
    attended = fields.Integer(metadata={"description": "People who came."})
    minutes = fields.String()


class RegistrationOutSchema(Schema):
    event_id = fields.Integer()
    user_id = fields.Integer()
    territory = fields.String()
    attended = fields.Boolean()


class RegistrationInSchema(RegistrationSchema):
    from_territory_id = Id(load_default=None, metadata={
        "description": "For self-registration with a network token: the member territory one comes from."})


def _territory_ref(territory):
    return {"slug": territory.slug, "name": territory.name, "region": territory.region}


# -- endpoints ----------------------------------------------------------------------------------------
@blp.route("/")
@blp.response(200, NetworkOutSchema)
@blp.doc(security=[BEARER])
def get_network():
    """The network, its member territories and the organizations running it."""
    network = access.current_network()
    return {"slug": network.slug, "name": network.name, "description": network.description,
            "territories": [_territory_ref(t) for t in services.member_territories(network)],
            "partners": [{"name": p.name, "role": p.role} for p in network.partners]}


@blp.route("/projects/by-stage")
@blp.response(200, StageCountsSchema(many=True))
@blp.doc(security=[BEARER])
def projects_by_stage():
    """How many service projects each member territory has at each stage (coordinators)."""
    _coordinators_only()
    network = access.current_network()
    counts = services.projects_by_stage(network)
    return [{"territory": _territory_ref(t), "stages": {stage: counts.get(t.id, {}).get(stage, 0)
                                                         for stage in STAGES}}
            for t in services.member_territories(network)]


@blp.route("/projects")
@blp.arguments(ProjectQuerySchema, location="query")
@blp.response(200, NetworkProjectSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_projects(filters, pagination_parameters):
    """Member territories' service projects, newest first (coordinators)."""
    _coordinators_only()
    network = access.current_network()
    territory_id = None
    if filters.get("territory"):
        territory = next((t for t in services.member_territories(network) if t.slug == filters["territory"]), None)
        if territory is None:
            invalid({"territory": ["Not a territory of this network."]})
        territory_id = territory.id
    offset = min(pagination_parameters.first_item, 1_000_000)
    rows, total = services.projects(network, filters.get("stage"), territory_id,
                                    pagination_parameters.page_size, offset)
    pagination_parameters.item_count = total
    return [{"id": r["project"].id, "title": r["project"].title, "territory": _territory_ref(r["territory"]),
             "service_key": r["project"].service_key, "stage": r["project"].stage, "outcome": r["project"].outcome,
             "decision": r["decision"]} for r in rows]


@blp.route("/decisions")
@blp.response(200, NetworkDecisionSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_decisions(pagination_parameters):
    """Committee decisions taken in member territories, newest first (coordinators)."""
    _coordinators_only()
    offset = min(pagination_parameters.first_item, 1_000_000)
    rows, total = services.decisions(access.current_network(), pagination_parameters.page_size, offset)
    pagination_parameters.item_count = total
    return [{"outcome": r["decision"].outcome, "decided_on": r["decision"].decided_on,
             "votes_for": r["decision"].votes_for, "votes_against": r["decision"].votes_against,
             "votes_abstain": r["decision"].votes_abstain, "territory": _territory_ref(r["territory"]),
             "project_id": r["project"].id if r["project"] else None,
             "project_title": r["project"].title if r["project"] else None} for r in rows]


@blp.route("/indicators")
@blp.arguments(MonthSchema, location="query")
@blp.response(200, IndicatorComparisonSchema(many=True))
@blp.doc(security=[BEARER])
def indicators(query):
    """Every indicator members share for comparison, territory by territory, for one month (coordinators).

    Closed months are read from the monthly snapshots; a month without snapshot is computed.
    """
    _coordinators_only()
    network = access.current_network()
    territories = {t.id: t for t in services.member_territories(network)}
    return [{"indicator": _indicator_ref(indicator),
             "values": [{"territory": _territory_ref(territories[t]), "value": value, "per_thousand_employees": per}
                        for t, (value, per) in values.items()]}
            for indicator, values in services.side_by_side(network, query["month"])]


@blp.route("/indicators/<key>")
@blp.arguments(PeriodSchema, location="query")
@blp.response(200, IndicatorComparisonSchema)
@blp.doc(security=[BEARER])
def indicator(period, key):
    """One indicator over several months in each member territory sharing it, per 1,000 employees (coordinators)."""
    _coordinators_only()
    network = access.current_network()
    found = next((i for i in services.network_indicators(network) if i.key == key), None)
    if found is None:
        abort(404)
    if period["end"] < period["start"] or len(months_between(period["start"], period["end"])) > 60:
        invalid({"end": ["Give an end on or after the start, at most 60 months later."]})
    rows = services.compare(network, found, period["start"], period["end"])
    return {"indicator": _indicator_ref(found),
            "values": [{"territory": _territory_ref(t), "value": value, "per_thousand_employees": per}
                       for t, value, per in rows]}


def _indicator_ref(indicator):
    return {"key": indicator.key, "label": str(indicator.label), "unit": str(indicator.unit),
            "service_key": indicator.service_key, "per_employees": indicator.per_employees}


@blp.route("/practices")
@blp.arguments(LibraryQuerySchema, location="query")
@blp.response(200, SheetSummarySchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_practices(query, pagination_parameters):
    """The practices library: every word of ``q`` must appear; newest first."""
    offset = min(pagination_parameters.first_item, 1_000_000)
    sheets, total = practices.search([access.current_network().id], query["q"], query["service_key"],
                                     pagination_parameters.page_size, offset)
    pagination_parameters.item_count = total
    return sheets


@blp.route("/practices/<int:sheet_id>")
@blp.response(200, SheetSchema)
@blp.doc(security=[BEARER])
def get_practice(sheet_id):
    return get_or_404(PracticeSheet, sheet_id, network_id=access.current_network().id)


@blp.route("/practices/<int:sheet_id>/replications", methods=["POST"])
@blp.response(201, ReplicatedSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="This practice cannot be replicated in this territory.")
@blp.doc(security=[BEARER])
def replicate(sheet_id):
    """Start a project in the token's territory from the sheet, in one step (territory admins, territory token)."""
    sheet = get_or_404(PracticeSheet, sheet_id, network_id=access.current_network().id)
    territory = g.network_territory
    if territory is None:
        refuse(403, "Replicate with a territory token of the territory that takes the practice up.")
    from coopserv.accounts.models import TERRITORY_ADMIN

    if TERRITORY_ADMIN not in access.member_roles(access.current_network()).get(territory.id, set()) \
            and not current_user.is_platform_admin:
        refuse(403, "Only the territory's admins replicate a practice.")
    with territory_scope(territory):
        try:
            project = practices.replicate(sheet, territory, current_user)
        except ValidationError as error:
            invalid(error.messages, 409, " ".join(map(str, error.messages.get("_schema", []))) or
                    "This practice cannot be replicated here.")
    return {"sheet_id": sheet.id, "territory": territory.slug, "project_id": project.id}


@blp.route("/events")
@blp.response(200, NetworkEventSummarySchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_events(pagination_parameters):
    """Seminars and transfer workshops, latest first."""
    from sqlalchemy import select

    query = (select(NetworkEvent).filter_by(network_id=access.current_network().id)
             .order_by(NetworkEvent.starts_on.desc(), NetworkEvent.id.desc()))
    return paginate(query, pagination_parameters)


def _event(event_id):
    event = events.get_event(access.current_network(), event_id) if 0 < event_id < 2**31 else None
    if event is None:
        abort(404)
    return event


@blp.route("/events/<int:event_id>")
@blp.response(200, NetworkEventSchema)
@blp.doc(security=[BEARER])
def get_event(event_id):
    """One event: agenda, organisers, how many registered and came, shared minutes."""
    return _event_out(_event(event_id))


def _event_out(event):
    return {"id": event.id, "kind": event.kind, "title": event.title, "starts_on": event.starts_on,
            "ends_on": event.ends_on, "place": event.place, "description": event.description,
            "host_territory": _territory_ref(event.host_territory) if event.host_territory else None,
            "organisers": [{"name": p.name, "role": p.role} for p in event.organisers],
            "agenda": event.agenda, "registered": len(event.registrations),
            "attended": sum(1 for r in event.registrations if r.attended), "minutes": event.minutes}


@blp.route("/events/<int:event_id>/registrations")
@blp.response(200, RegistrationOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_registrations(event_id, pagination_parameters):
    """Who registered and who came (coordinators)."""
    _coordinators_only()
    event = _event(event_id)
    rows = [{"event_id": event.id, "user_id": r.user_id, "territory": r.from_territory.slug, "attended": r.attended}
            for r in event.registrations]
    return paginate_list(rows, pagination_parameters)


@blp.route("/events/<int:event_id>/registrations", methods=["POST"])
@blp.arguments(RegistrationInSchema)
@blp.response(201, RegistrationOutSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The event is full, or it has started.")
@blp.doc(security=[BEARER])
def register(data, event_id):
    """Register the token's owner, or (coordinators, territory admins for their people) someone by e-mail."""
    network = access.current_network()
    event = _event(event_id)
    try:
        if data.get("email"):
            if access.is_coordinator(network) and g.network_territory is None:
                allowed = None
            else:
                allowed = access.admin_territory_ids(network)
                if g.network_territory is not None:
                    allowed &= {g.network_territory.id}
                if not allowed:
                    refuse(403, "Only coordinators and territory admins register other people.")
            registration = events.register_by_email(network, event, data["email"], current_user, allowed)
        else:
            territory_id = g.network_territory.id if g.network_territory is not None else data.get("from_territory_id")
            registration = events.register(network, event, current_user, current_user, territory_id)
    except ValidationError as error:
        if "_schema" in error.messages:
            invalid(error.messages, 409, " ".join(map(str, error.messages["_schema"])))
        invalid(error.messages)
    return {"event_id": event.id, "user_id": registration.user_id,
            "territory": db.session.get(Territory, registration.from_territory_id).slug,
            "attended": registration.attended}




# -- coordinators run the events; territory admins publish their practices ---------------------------------
class EventInSchema(NetworkEventInSchema):
    """An event as coordinators write it (named apart from the event as read)."""


def _save_event(data, event=None):
    _coordinators_only()
    try:
        return _event_out(events.save_event(access.current_network(), data, event))
    except ValidationError as error:
        invalid(error.messages)


@blp.route("/events", methods=["POST"])
@blp.arguments(EventInSchema)
@blp.response(201, NetworkEventSchema)
@blp.doc(security=[BEARER])
def create_event(data):
    """Create a seminar or a transfer workshop (coordinators, network token)."""
    return _save_event(data)


@blp.route("/events/<int:event_id>", methods=["PUT"])
@blp.arguments(EventInSchema)
@blp.response(200, NetworkEventSchema)
@blp.doc(security=[BEARER])
def update_event(data, event_id):
    """Change an event; the body is the whole event, as when creating it (coordinators)."""
    return _save_event(data, _event(event_id))


@blp.route("/events/<int:event_id>/agenda", methods=["POST"])
@blp.arguments(SeminarSessionSchema)
@blp.response(201, NetworkEventSchema)
@blp.doc(security=[BEARER])
def add_agenda_item(data, event_id):
    """Add a session to the event's agenda (coordinators)."""
    _coordinators_only()
    event = _event(event_id)
    events.add_agenda_item(event, data)
    return _event_out(event)


@blp.route("/events/<int:event_id>/attendance", methods=["PUT"])
@blp.arguments(AttendanceSchema)
@blp.response(200, NetworkEventSchema)
@blp.doc(security=[BEARER])
def set_attendance(data, event_id):
    """Say who came: the user ids of the registered people present (others are marked absent)."""
    _coordinators_only()
    event = _event(event_id)
    try:
        events.set_attendance(event, data["present_ids"])
    except ValidationError as error:
        invalid(error.messages)
    return _event_out(event)


@blp.route("/events/<int:event_id>/minutes", methods=["PUT"])
@blp.arguments(MinutesSchema)
@blp.response(200, NetworkEventSchema)
@blp.doc(security=[BEARER])
def share_minutes(data, event_id):
    """Share the event's minutes with the whole network (coordinators)."""
    _coordinators_only()
    event = _event(event_id)
    events.save_minutes(event, data["minutes"])
    return _event_out(event)


class PublishSchema(PracticeSheetSchema):
    project_id = Id(required=True, metadata={"description": "An evaluated or decided project of the token's "
                                                            "territory."})
    network_id = Id(load_default=None, metadata={"description": "Ignored: the network of the address is used."})


@blp.route("/practices", methods=["POST"])
@blp.arguments(PublishSchema)
@blp.response(201, SheetSchema)
@blp.alt_response(409, schema=ApiErrorSchema,
                  description="The project cannot be published as a practice (yet, or again).")
@blp.doc(security=[BEARER])
def publish_practice(data):
    """Publish (or update) a project's experience sheet (territory admins, territory token)."""
    from coopserv.accounts.models import TERRITORY_ADMIN
    from coopserv.projects.models import ServiceProject

    network, territory = access.current_network(), g.network_territory
    if territory is None:
        refuse(403, "Publish with a territory token of the territory that ran the project.")
    if TERRITORY_ADMIN not in access.member_roles(network).get(territory.id, set()) \
            and not current_user.is_platform_admin:
        refuse(403, "Only the territory's admins publish a practice.")
    with territory_scope(territory):
        project = get_or_404(ServiceProject, data["project_id"])
        try:
            sheet = practices.publish(project, network, data, current_user)
        except ValidationError as error:
            if "_schema" in error.messages:
                invalid(error.messages, 409, " ".join(map(str, error.messages["_schema"])))
            invalid(error.messages)
    return sheet


from coopserv.api import network_admin  # noqa: E402,F401 - its operations live on this blueprint
