"""Fields and helpers the project and governance endpoints share: times with their offset, bounded lookups."""
from datetime import timezone

from flask import abort
from flask_smorest import abort as api_abort
from marshmallow import fields
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.input_guard import DB_INT_MAX


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) time sent with its offset, as OpenAPI's date-time format requires."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def as_utc(moment):
    """A time received with an offset, as the naive UTC the database stores (naive input is taken as UTC)."""
    if moment is not None and moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def row_or_404(model, row_id):
    """The current territory's row with this id, or 404 (also for ids no database integer holds)."""
    if not 1 <= row_id <= DB_INT_MAX:
        abort(404)
    row = db.session.scalar(select(model).filter_by(id=row_id))
    if row is None:
        abort(404)
    return row


def invalid(error, status=422):
    """Answer a service's ValidationError with the API's error shape; nothing it began is kept."""
    db.session.rollback()
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    schema_errors = messages.get("_schema")
    message = " ".join(str(m) for m in schema_errors) if schema_errors and status != 422 else \
        "Some fields are not valid."
    api_abort(status, message=message, errors=messages)


def page_of(query, pagination_parameters, *options):
    """One page of a query's rows with loader ``options`` (counted first, so X-Pagination tells the total)."""
    from coopserv.api.common import paginate

    return paginate(query.options(*options), pagination_parameters)

