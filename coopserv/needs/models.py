"""Needs expressed by employees and companies, their supports, collective needs and campaigns."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.i18n import _l
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

ATTRACTIVENESS = "attractiveness"
PERFORMANCE = "performance"
FAMILIES = {ATTRACTIVENESS: _l("Territory attractiveness"), PERFORMANCE: _l("Company performance")}

#: (key, family, English label) seeded in every territory; admins may add or hide categories.
DEFAULT_CATEGORIES = (
    ("business_parks", ATTRACTIVENESS, _l("Business parks")),
    ("sectors", ATTRACTIVENESS, _l("Sectors")),
    ("welcoming", ATTRACTIVENESS, _l("Welcoming new workers")),
    ("mobility", ATTRACTIVENESS, _l("Work mobility")),
    ("quality_of_life", ATTRACTIVENESS, _l("Quality of life at work (concierge, childcare…)")),
    ("business_transfer", ATTRACTIVENESS, _l("Business transfer")),
    ("training", ATTRACTIVENESS, _l("Training")),
    ("production", PERFORMANCE, _l("Production")),
    ("hr", PERFORMANCE, _l("Human resources")),
    ("premises", PERFORMANCE, _l("Premises")),
    ("accessibility", PERFORMANCE, _l("Accessibility")),
    ("communication", PERFORMANCE, _l("Communication")),
)

COMPANY = "company"
INDIVIDUAL = "individual"
SCOPES = {COMPANY: _l("For my company"), INDIVIDUAL: _l("For myself")}

URGENCIES = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}

RECEIVED = "received"
UNDER_STUDY = "under_study"
ADDRESSED = "addressed"
NOT_RETAINED = "not_retained"
MERGED = "merged"
STATUSES = {RECEIVED: _l("Received"), UNDER_STUDY: _l("Under study"), ADDRESSED: _l("Addressed by a project"),
            NOT_RETAINED: _l("Not retained"), MERGED: _l("Merged into another need")}
#: Statuses an admin sets by hand (merging has its own action).
ANSWER_STATUSES = (RECEIVED, UNDER_STUDY, ADDRESSED, NOT_RETAINED)

TEXT = "text"
CHOICE = "choice"
MULTIPLE = "multiple"
QUESTION_KINDS = {TEXT: _l("Free text"), CHOICE: _l("One choice"), MULTIPLE: _l("Several choices")}


class NeedCategory(TenantMixin, db.Model):
    """A category of needs in one territory, in one of the method's two families."""

    __tablename__ = "need_category"
    __table_args__ = (UniqueConstraint("territory_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    family: Mapped[str] = mapped_column(String(20))
    #: An English msgid for the defaults (shown translated), or the admin's own words.
    label: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class NeedSettings(TenantMixin, db.Model):
    """A territory's thresholds past which a collective need goes to a feasibility study."""

    __tablename__ = "need_settings"
    __table_args__ = (UniqueConstraint("territory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    threshold_companies: Mapped[int] = mapped_column(default=5)
    threshold_employees: Mapped[int] = mapped_column(default=50)


class CollectiveNeed(TenantMixin, db.Model):
    """Several needs grouped by admins; flagged for study once it passes the threshold."""

    __tablename__ = "collective_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Set when the collective need first passed the territory's threshold.
    flagged_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    needs = relationship("Need", back_populates="collective", order_by="Need.id")


class Need(TenantMixin, db.Model):
    """A need submitted by an employee (for themself) or a referent (for the company)."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("need_category.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    scope: Mapped[str] = mapped_column(String(20), default=INDIVIDUAL)
    #: Employees concerned: 1 for an individual need, the referent's count for a company need.
    employees_affected: Mapped[int] = mapped_column(default=1)
    sites: Mapped[str] = mapped_column(String(200), default="")
    shifts: Mapped[str] = mapped_column(String(200), default="")
    business_park: Mapped[str] = mapped_column(String(120), default="")
    urgency: Mapped[str] = mapped_column(String(10), default="medium")
    #: Where a need recorded on an organization's behalf was heard (a business leaders' meeting…).
    source: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=RECEIVED)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("service_project.id", ondelete="SET NULL"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"), index=True)
    collective_id: Mapped[int | None] = mapped_column(ForeignKey("collective_need.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category = relationship("NeedCategory")
    author = relationship("User")
    organization = relationship("Organization")
    collective = relationship("CollectiveNeed", back_populates="needs")
    merged_into = relationship("Need", remote_side=[id])
    project = relationship("ServiceProject")
    supports = relationship("NeedSupport", back_populates="need", cascade="all, delete-orphan",
                            order_by="NeedSupport.id")


class NeedSupport(TenantMixin, db.Model):
    """Someone saying "we have it too", with their organization, its size and the people concerned."""

    __tablename__ = "need_support"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    #: The organization's size band when the support was given (it may change later).
    organization_size: Mapped[str] = mapped_column(String(10), default="")
    #: "company" when a referent answers for the organization, else "individual".
    scope: Mapped[str] = mapped_column(String(20), default=INDIVIDUAL)
    employees_affected: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need = relationship("Need", back_populates="supports")
    organization = relationship("Organization")


class NeedCampaign(TenantMixin, db.Model):
    """A questionnaire opened to the member companies for a period."""

    __tablename__ = "need_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date] = mapped_column()
    closes_on: Mapped[date] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions = relationship("CampaignQuestion", back_populates="campaign", cascade="all, delete-orphan",
                             order_by="CampaignQuestion.position")
    answers = relationship("CampaignAnswer", back_populates="campaign", cascade="all, delete-orphan")


class CampaignQuestion(TenantMixin, db.Model):
    __tablename__ = "need_campaign_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("need_campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10), default=TEXT)
    choices: Mapped[list] = mapped_column(JSONDocument, default=list)

    campaign = relationship("NeedCampaign", back_populates="questions")


class CampaignAnswer(TenantMixin, db.Model):
    """One organization's answers to a campaign, given by its referent."""

    __tablename__ = "need_campaign_answer"
    __table_args__ = (UniqueConstraint("campaign_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("need_campaign.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: question id (as text) -> answer text, or list of chosen texts.
    answers: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign = relationship("NeedCampaign", back_populates="answers")
    organization = relationship("Organization")
