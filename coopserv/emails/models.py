"""What people chose for their e-mail, and what waits for their digest."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class EmailPreference(db.Model):
    """A person's choice for one category (no row: sent at once)."""

    __tablename__ = "email_preference"
    __table_args__ = (UniqueConstraint("user_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    #: "immediately", "digest" or "never".
    mode: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmailOptOut(db.Model):
    """An address without an account that asked for no more messages of a category (invitations)."""

    __tablename__ = "email_opt_out"
    __table_args__ = (UniqueConstraint("address", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    category: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestEntry(TenantMixin, db.Model):
    """A message kept for its recipient's next daily digest, rendered when the digest is sent."""

    __tablename__ = "email_digest_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    template: Mapped[str] = mapped_column(String(120))
    #: The message's context, JSON-encoded by coopserv.emails.rendering.encode_context.
    context: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when a digest carried it; None while it waits.
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class EmailOnce(db.Model):
    """A key that made an e-mail go out once (reminders: one per offer, one per session and person)."""

    __tablename__ = "email_once"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
