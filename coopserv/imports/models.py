"""An import waiting for confirmation: the checked lines, their errors, then what applying did."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

PREVIEWED = "previewed"
APPLIED = "applied"


class ImportBatch(TenantMixin, db.Model):
    """One uploaded file: previewed (nothing written but this row), then applied once.

    ``rows`` holds the valid lines until they are applied, then is emptied so
    no copy of people's names and addresses outlives the import.
    """

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "organizations" or "members".
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200), default="")
    encoding: Mapped[str] = mapped_column(String(20))
    delimiter: Mapped[str] = mapped_column(String(1))
    line_count: Mapped[int] = mapped_column(default=0)
    #: Valid lines as [{"line": n, "data": {...}}].
    rows: Mapped[list] = mapped_column(JSONDocument, default=list)
    #: Invalid lines as [{"line": n, "field": name, "message": text}].
    errors: Mapped[list] = mapped_column(JSONDocument, default=list)
    #: What applying would do at preview time ({"create": n, ...}), then what it did.
    summary: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    result: Mapped[dict | None] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(10), default=PREVIEWED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]

    created_by = relationship("User")
