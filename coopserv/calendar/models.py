"""The secret behind a person's private calendar feed (only its hash is kept)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from coopserv.extensions import db
from coopserv.timeutil import utcnow


class CalendarFeedToken(db.Model):
    """One feed per person, across their territories; a new one replaces (revokes) the old."""

    __tablename__ = "calendar_feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, to recognise the link on the settings page.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
