"""Personal access tokens for the REST API, each bound to one person and one territory."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class AccessToken(TenantMixin, db.Model):
    """A secret a person gives a script; it acts with that person's roles in one territory."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the secret: tokens are long random strings, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, shown so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    #: A read-only token may only read (GET): every write through the API answers 403.
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    user = relationship("User")

    @property
    def active(self):
        return self.revoked_at is None


class PlatformToken(db.Model):
    """A platform operator's API token for the platform's own endpoints (creating networks).

    Not tenant-owned: it acts above territories. It opens no territory's or
    network's data; operators use a territory or network token for those.
    """

    __tablename__ = "platform_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the secret, as for personal tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User")

    @property
    def active(self):
        return self.revoked_at is None
