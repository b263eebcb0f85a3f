"""An invitation to join a territory with a role, answered through a signed link."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

PENDING = "pending"
ACCEPTED = "accepted"
REVOKED = "revoked"
STATUSES = {PENDING: _l("Waiting for an answer"), ACCEPTED: _l("Accepted"), REVOKED: _l("Revoked")}

#: Where an invitation comes from; later channels (QR posters, the members page) add their own.
FROM_IMPORT = "import"
FROM_ADMIN = "admin"
FROM_API = "api"
SOURCES = (FROM_IMPORT, FROM_ADMIN, FROM_API)


class Invitation(TenantMixin, db.Model):
    """One person invited to one territory; inviting again refreshes the same row."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("territory_id", "email"),
                      Index("ix_invitation_territory_id_status_sent_at", "territory_id", "status", "sent_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case address the link is sent to; accepting creates or joins the account using it.
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(30))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    #: Part of the signed link; a new nonce (resend, revoke) makes older links useless.
    nonce: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(20), default=FROM_ADMIN)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: When the link was last e-mailed (None: not sent yet) and how many times.
    sent_at: Mapped[datetime | None]
    send_count: Mapped[int] = mapped_column(default=0)
    accepted_at: Mapped[datetime | None]
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    revoked_at: Mapped[datetime | None]

    organization = relationship("Organization")
    invited_by = relationship("User", foreign_keys=[invited_by_id])

    def expired(self, now=None):
        return self.status == PENDING and self.expires_at <= (now or utcnow())
