"""A territory's required page, as the fields its admin filled in (the rest is generated)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

ACCESSIBILITY = "accessibility"
LEGAL_NOTICE = "legal_notice"
PRIVACY = "privacy"
KINDS = (ACCESSIBILITY, LEGAL_NOTICE, PRIVACY)


class LegalPage(TenantMixin, db.Model):
    """One required page of a territory; ``fields`` holds what its schema accepts."""

    __tablename__ = "legal_page"
    __table_args__ = (UniqueConstraint("territory_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(String(20))
    fields: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
