"""People and their roles in each territory."""
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from coopserv.extensions import db
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

TERRITORY_ADMIN = "territory_admin"
GOVERNANCE_MEMBER = "governance_member"
COMPANY_REFERENT = "company_referent"
EMPLOYEE = "employee"
SERVICE_OPERATOR = "service_operator"
ROLES = (TERRITORY_ADMIN, GOVERNANCE_MEMBER, COMPANY_REFERENT, EMPLOYEE, SERVICE_OPERATOR)

ACTIVE = "active"
PENDING = "pending"
MEMBERSHIP_STATUSES = (ACTIVE, PENDING)


class User(UserMixin, db.Model):
    """One account per person, shared by every territory they belong to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    #: Platform operators manage every territory.
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Part of every session cookie; bumped on sign-out and password change so older copies stop working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self):
        from coopserv.security import session_id_for

        return session_id_for(self)

    def end_sessions(self):
        """Make every session cookie issued so far (on any device) stop working; the caller commits."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password):
        """Store a new password hash; sessions opened with the old password end."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def __repr__(self):
        return f"<User {self.email}>"


class Membership(TenantMixin, db.Model):
    """A role held by a user in one territory; operators are tied to one module."""

    __table_args__ = (UniqueConstraint("territory_id", "user_id", "role", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    #: For service operators: the module whose queue they work.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("service_module.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    organization = relationship("Organization")
    module = relationship("ServiceModule")
