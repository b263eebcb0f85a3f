"""Built PDF documents, kept per version of their content so a download never waits twice."""
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class StoredDocument(TenantMixin, db.Model):
    """One PDF: what it shows (kind, object, language) and a digest of the HTML it was made from."""

    __tablename__ = "stored_document"
    __table_args__ = (UniqueConstraint("territory_id", "kind", "object_id", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A registered builder's name ("projects.report", "governance.minutes", "iot_training.certificate").
    kind: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(5))
    #: SHA-256 of the HTML: a change in what the document says makes a new version.
    version: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
