"""Spouse welcome tables: cases, their checklist, introductions to companies, hiring needs, follow-ups."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import JSONDocument, TenantMixin, db, utcnow

STEP_KINDS = ("job", "housing", "school", "childcare", "leisure", "other")
OUTCOMES = ("pending", "interview", "hired", "declined")


class Case(TenantMixin, db.Model):
    """The welcome side of a service request: who the partner is and what the family needs."""

    __tablename__ = "spouse_welcome_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    #: The newly hired employee: the family's account, who sees the case.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: Who filled the form: the employee, or their company's HR referent (who then sees only the status).
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: The welcome referent (an operator of the module) following the family.
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    partner_first_name: Mapped[str] = mapped_column(String(80), default="")
    profession: Mapped[str] = mapped_column(String(160), default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list] = mapped_column(JSONDocument, default=list)
    #: Sectors the partner would like to work in, as typed (matched without case or accents).
    sectors: Mapped[list] = mapped_column(JSONDocument, default=list)
    housing_needs: Mapped[str] = mapped_column(Text, default="")
    children_ages: Mapped[list] = mapped_column(JSONDocument, default=list)
    arrival_date: Mapped[date | None] = mapped_column()
    #: Set when the case reaches a final state; the retention period runs from here.
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Set once the retention period has passed and personal fields were wiped.
    anonymised_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request = relationship("ServiceRequest")
    requester = relationship("User", foreign_keys=[requester_id])
    referent = relationship("User", foreign_keys=[referent_id])
    steps = relationship("Step", back_populates="case", cascade="all, delete-orphan",
                         order_by="(Step.due_date, Step.id)")
    introductions = relationship("Introduction", back_populates="case", cascade="all, delete-orphan",
                                 order_by="Introduction.id")
    follow_up = relationship("FollowUp", back_populates="case", uselist=False, cascade="all, delete-orphan")


class Step(TenantMixin, db.Model):
    """One item of a case's checklist (a housing visit, a school enrolment), with its due date."""

    __tablename__ = "spouse_welcome_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("spouse_welcome_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    #: Key of a default step (translated on display); None for steps the referent typed.
    code: Mapped[str | None] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()

    case = relationship("Case", back_populates="steps")


class HiringNeed(TenantMixin, db.Model):
    """A job a member company would like to fill, declared by its referent, used for matching."""

    __tablename__ = "spouse_welcome_hiring_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    profession: Mapped[str] = mapped_column(String(160))
    sector: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization")


class Introduction(TenantMixin, db.Model):
    """The welcome referent introduced the partner to a company; the outcome is recorded here."""

    __tablename__ = "spouse_welcome_introduction"
    __table_args__ = (UniqueConstraint("case_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("spouse_welcome_case.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    outcome_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")

    case = relationship("Case", back_populates="introductions")
    organization = relationship("Organization")


class FollowUp(TenantMixin, db.Model):
    """What the referent learnt a year after arrival: is the family still here, does the partner work."""

    __tablename__ = "spouse_welcome_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("spouse_welcome_case.id", ondelete="CASCADE"), unique=True)
    still_in_territory: Mapped[bool] = mapped_column()
    partner_working: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case = relationship("Case", back_populates="follow_up")
