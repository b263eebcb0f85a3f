"""In-app notifications, stored untranslated so each reader sees their own language."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow


class Notification(TenantMixin, db.Model):
    """A message for one user in one territory, rendered with gettext when shown."""

    __table_args__ = (
        # The unread badge on every page, and the latest notifications first.
        Index("ix_notification_unread", "user_id", "territory_id", "read_at"),
        Index("ix_notification_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: An English msgid with %(name)s placeholders, marked for extraction with _l().
    message: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    #: Legacy: an URL built when the notification was made (empty when made outside a request).
    link: Mapped[str] = mapped_column(String(300), default="")
    #: Where the notification leads, as ``{"endpoint": ..., "args": {...}}`` (see coopserv.urls.target);
    #: the URL is built when the notification is shown, so the CLI and jobs can make them too.
    link_target: Mapped[dict | None] = mapped_column(JSONDocument)
    read_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
