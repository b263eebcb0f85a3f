"""Admin API: CSV imports of organizations and members, the same preview-then-apply steps as the pages."""
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.api import BEARER, ApiErrorSchema
from coopserv.api.auth import require_role, territory_api_blueprint
from coopserv.api.common import get_or_404, invalid, paginate_list, refuse
from coopserv.imports import parsing, services
from coopserv.imports.models import ImportBatch
from coopserv.invitations import services as invitations
from coopserv.schemas import Schema, one_of

blp = territory_api_blueprint("api_imports", __name__, "/imports",
                              "CSV imports of organizations and members (territory admins): preview, then apply.")
#: Invitations e-mailed within one API call; the rest go with `coopserv invitations send`.
SEND_PER_REQUEST = 200


class ImportKindSchema(Schema):
    kind = fields.String(required=True, validate=one_of(parsing.KINDS),
                         metadata={"description": "organizations or members."})


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "The CSV file (UTF-8 or Windows-1252, ; or ,)."})


class LineErrorSchema(Schema):
    line = fields.Integer()
    field = fields.String()
    message = fields.String()


class ImportBatchSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    encoding = fields.String()
    delimiter = fields.String()
    line_count = fields.Integer()
    status = fields.String(metadata={"description": "previewed (nothing imported yet) or applied."})
    summary = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "What applying would do, line counts per action."})
    result = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True,
                         metadata={"description": "What applying did."})
    created_at = fields.DateTime()
    applied_at = fields.DateTime(allow_none=True)


class ApplyResultSchema(Schema):
    batch = fields.Nested(ImportBatchSchema)
    invitations_sent = fields.Integer()


@blp.route("/", methods=["POST"])
@blp.arguments(ImportKindSchema, location="query")
@blp.arguments(ImportFileSchema, location="files")
@blp.response(201, ImportBatchSchema)
@blp.doc(security=[BEARER])
def preview(query, files):
    """Check a file and store what importing it would do; nothing is imported until it is applied."""
    require_role(TERRITORY_ADMIN)
    upload = files["file"]
    raw = upload.read(parsing.MAX_BYTES + 1)
    try:
        return services.preview(query["kind"], raw, upload.filename or "", current_user)
    except ValidationError as error:
        invalid(error.messages)


@blp.route("/<int:batch_id>")
@blp.response(200, ImportBatchSchema)
@blp.doc(security=[BEARER])
def get_import(batch_id):
    require_role(TERRITORY_ADMIN)
    return get_or_404(ImportBatch, batch_id)


@blp.route("/<int:batch_id>/errors")
@blp.response(200, LineErrorSchema(many=True))
@blp.paginate()
@blp.doc(security=[BEARER])
def list_errors(batch_id, pagination_parameters):
    """The file's invalid lines, field by field (left out when the batch is applied)."""
    require_role(TERRITORY_ADMIN)
    return paginate_list(get_or_404(ImportBatch, batch_id).errors, pagination_parameters)


@blp.route("/<int:batch_id>/apply", methods=["POST"])
@blp.response(200, ApplyResultSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The batch was already applied.")
@blp.doc(security=[BEARER])
def apply(batch_id):
    """Import the batch's valid lines (all or none of them), then send the first invitations to newcomers."""
    require_role(TERRITORY_ADMIN)
    batch = get_or_404(ImportBatch, batch_id)
    try:
        counts = services.apply(batch, current_user)
    except services.AlreadyApplied:
        refuse(409, "This batch was already applied.")
    sent = invitations.send_pending(limit=SEND_PER_REQUEST) if counts.get("invite") else 0
    return {"batch": batch, "invitations_sent": sent}


@blp.route("/<int:batch_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, schema=ApiErrorSchema, description="The batch was already applied.")
@blp.doc(security=[BEARER])
def discard(batch_id):
    """Set a preview aside; nothing was imported."""
    require_role(TERRITORY_ADMIN)
    batch = get_or_404(ImportBatch, batch_id)
    try:
        services.discard(batch, current_user)
    except services.AlreadyApplied:
        refuse(409, "This batch was already applied.")
