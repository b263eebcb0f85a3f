"""Helpers every API module shares: loading a row by id, paginating a query, answering field errors."""
from flask import abort
from flask_smorest import abort as api_abort
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.schemas import MAX_ID

#: Beyond this offset a page is empty rather than a costly (or overflowing) OFFSET.
MAX_OFFSET = 1_000_000


def get_or_404(model, object_id, **filters):
    """The row of ``model`` with this id (scoped to the territory when tenant-owned), else 404."""
    if not 0 < object_id <= MAX_ID:
        abort(404)
    row = db.session.scalar(select(model).filter_by(id=object_id, **filters))
    if row is None:
        abort(404)
    return row


def paginate(query, pagination_parameters, **execution_options):
    """Count the query's rows for X-Pagination and return the requested page of it."""
    count_query = select(func.count()).select_from(query.order_by(None).subquery())
    pagination_parameters.item_count = db.session.scalar(count_query.execution_options(**execution_options))
    if pagination_parameters.first_item >= MAX_OFFSET:
        return []
    return db.session.scalars(query.limit(pagination_parameters.page_size)
                              .offset(pagination_parameters.first_item)
                              .execution_options(**execution_options)).all()


def paginate_list(items, pagination_parameters):
    """Paginate a list already in memory (a short, bounded one)."""
    pagination_parameters.item_count = len(items)
    return items[pagination_parameters.first_item:pagination_parameters.first_item + pagination_parameters.page_size]


def invalid(errors, status=422, message="Some fields are not valid."):
    """Roll back and answer field errors in the API's one error shape."""
    db.session.rollback()
    api_abort(status, message=message, errors=errors)


def refuse(status, message):
    db.session.rollback()
    api_abort(status, message=message)
