"""Notice which requests a transaction changes and refresh their rollups just before it commits.

Whatever writes a request — the core's services, a plugin's own transition,
demo data, an erasure's bulk UPDATE — goes through the session: new, changed
and deleted ``ServiceRequest`` rows and new ``StatusChange`` rows are noted
after each flush, bulk UPDATE/DELETE statements on requests note the rows
they are about to touch, and ``before_commit`` applies the difference in the
same transaction. Raw SQL and COPY are not seen: run ``coopserv indicators
rebuild`` after them.
"""
from itertools import chain

from sqlalchemy import event, select
from sqlalchemy.orm import Session

PENDING = "coopserv_rollup_requests"


def install_tracking(session_class=Session):
    """Attach the listeners to every ORM session (idempotent)."""
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _before_bulk_write),
                           ("before_commit", _before_commit), ("after_rollback", _forget),
                           ("after_soft_rollback", _forget_soft)):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)


def _pending(session):
    return session.info.setdefault(PENDING, set())


def _after_flush(session, flush_context):
    from coopserv.service_requests.models import ServiceRequest, StatusChange

    pending = None
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, ServiceRequest):
            request_id = obj.id
        elif isinstance(obj, StatusChange):
            request_id = obj.request_id
        else:
            continue
        pending = pending if pending is not None else _pending(session)
        pending.add(request_id)


def _before_bulk_write(state):
    """Before an UPDATE or DELETE of requests runs, note which requests it touches."""
    if not (state.is_update or state.is_delete):
        return
    from coopserv.service_requests.models import ServiceRequest
    from coopserv.tenancy import ALL_TERRITORIES

    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not ServiceRequest:
        return
    where = state.statement.whereclause
    query = select(ServiceRequest.id)
    if where is not None:
        query = query.where(where)
    ids = state.session.scalars(query.execution_options(**{ALL_TERRITORIES: True})).all()
    _pending(state.session).update(ids)


def _before_commit(session):
    # Commit flushes after this hook: flush now so that its changes are noted too.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.get(PENDING):
        return
    from coopserv.extensions import db
    from coopserv.rollups.services import refresh_requests

    if session is not db.session():
        return  # the rollup services write through the app's session; other sessions rebuild
    ids = session.info.pop(PENDING, set())
    if ids:
        from coopserv.indicators.services import forget_cached_values

        refresh_requests(ids)
        forget_cached_values(ids)


def _forget(session):
    session.info.pop(PENDING, None)


def _forget_soft(session, previous_transaction):
    if not session.in_transaction():
        session.info.pop(PENDING, None)
