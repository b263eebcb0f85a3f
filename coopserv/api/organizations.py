"""Admin API: a territory's organizations (companies, local authorities, associations)."""
from marshmallow import ValidationError, fields
from sqlalchemy import func, select

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.common import get_or_404, invalid, paginate
from coopserv.organizations import services
from coopserv.organizations.models import ORGANIZATION_KINDS, Organization
from coopserv.organizations.schemas import OrganizationSchema
from coopserv.schemas import Schema, Text, UTCDateTime, length, one_of

blp = territory_api_blueprint("api_organizations", __name__, "/organizations",
                              "Organizations of a territory (territory admins).")


class OrganizationOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    siret = fields.String(allow_none=True)
    size_band = fields.String()
    employee_count = fields.Integer()
    sector = fields.String()
    business_park = fields.String()
    address = fields.String()
    invitation_code = fields.String(metadata={"description": "Code employees give when they sign up."})
    created_at = UTCDateTime()


class OrganizationUpdateSchema(OrganizationSchema):
    """The fields to change; absent ones keep their value."""


class OrganizationQuerySchema(Schema):
    q = Text(validate=length(max=160), metadata={"description": "Part of the name."})
    kind = fields.String(validate=one_of(ORGANIZATION_KINDS))


@blp.route("/")
@blp.arguments(OrganizationQuerySchema, location="query")
@blp.response(200, OrganizationOutSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_organizations(filters, pagination_parameters):
    """The territory's organizations by name."""
    require_role(TERRITORY_ADMIN)
    query = select(Organization).order_by(Organization.name, Organization.id)
    if filters.get("q"):
        escaped = filters["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Organization.name).like(f"%{escaped}%", escape="\\"))
    if filters.get("kind"):
        query = query.where(Organization.kind == filters["kind"])
    return paginate(query, pagination_parameters)


@blp.route("/", methods=["POST"])
@blp.arguments(OrganizationSchema)
@blp.response(201, OrganizationOutSchema)
@blp.doc(security=[BEARER])
def create_organization(data):
    """Add an organization; a name already used in the territory is a field error."""
    require_role(TERRITORY_ADMIN)
    try:
        return services.create_organization(data)
    except ValidationError as error:
        invalid(error.messages)


@blp.route("/<int:organization_id>")
@blp.response(200, OrganizationOutSchema)
@blp.doc(security=[BEARER])
def get_organization(organization_id):
    require_role(TERRITORY_ADMIN)
    return get_or_404(Organization, organization_id)


@blp.route("/<int:organization_id>", methods=["PATCH"])
@blp.arguments(OrganizationUpdateSchema(partial=True))
@blp.response(200, OrganizationOutSchema)
@blp.doc(security=[BEARER])
def update_organization(data, organization_id):
    """Change some of an organization's fields; the others keep their value."""
    require_role(TERRITORY_ADMIN)
    organization = get_or_404(Organization, organization_id)
    current = {name: getattr(organization, name) for name in OrganizationSchema().fields}
    merged = {**{k: v for k, v in current.items() if v is not None}, **data}
    try:
        return services.update_organization(organization, OrganizationSchema().load(merged))
    except ValidationError as error:
        invalid(error.messages)
