"""The one place that writes a territory's required pages."""
from flask_login import current_user
from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.legal.models import ACCESSIBILITY, LegalPage
from coopserv.legal.schemas import SCHEMAS
from coopserv.tenancy import current_territory_id
from coopserv.territories.models import Territory


def page_fields(kind):
    """The fields saved for a page of the current territory ({} until an admin fills them)."""
    page = db.session.scalar(select(LegalPage).filter_by(kind=kind))
    return dict(page.fields) if page is not None else {}


def pages_filled():
    """Which kinds of page the current territory has filled in."""
    return set(db.session.scalars(select(LegalPage.kind)))


def save_page(kind, raw):
    """Validate and save one page's fields (ValidationError on bad input, nothing stored)."""
    data = SCHEMAS[kind]().load(raw)
    stored = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}
    page = db.session.scalar(select(LegalPage).filter_by(kind=kind))
    if page is None:
        page = LegalPage(kind=kind)
        db.session.add(page)
    page.fields = stored
    page.updated_by_id = current_user.id if current_user and current_user.is_authenticated else None
    if kind == ACCESSIBILITY:
        # In the same transaction as the statement: every machine's next footer reads the new level.
        db.session.get(Territory, current_territory_id()).accessibility_audit_rate = data["audit_rate"]
    record("legal_page.saved", kind)
    db.session.commit()
    return page
