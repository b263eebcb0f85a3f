"""The job that makes a PDF, so a web request never waits for the layout engine."""
from coopserv.documents.services import build_and_store
from coopserv.extensions import db
from coopserv.jobs import job
from coopserv.territories.models import Territory


@job(retries=3, retry_delay=30, retry_backoff=2.0)
def build_document(territory_id, kind, object_id, language):
    territory = db.session.get(Territory, territory_id)
    if territory is None:
        return None
    row = build_and_store(territory, kind, object_id, language)
    return row.id if row is not None else None
