"""Service projects: partners, targets, the recorded story of each stage, decisions, costs."""
from datetime import date, datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.i18n import _l
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

IDEA = "idea"
DESIGN = "design"
PROTOTYPE = "prototype"
EVALUATION = "evaluation"
DECIDED = "decided"
STAGES = {IDEA: _l("Idea"), DESIGN: _l("Design"), PROTOTYPE: _l("Prototype"), EVALUATION: _l("Evaluation"),
          DECIDED: _l("Decided")}
#: Moves a lead or an admin makes by hand; leaving evaluation takes a committee decision.
MOVES = {IDEA: (DESIGN,), DESIGN: (PROTOTYPE,), PROTOTYPE: (EVALUATION,), EVALUATION: (), DECIDED: ()}

PERENNIAL = "perennial"
ITERATE = "iterate"
STOPPED = "stopped"
OUTCOMES = {PERENNIAL: _l("Make it perennial"), ITERATE: _l("Iterate (back to design)"), STOPPED: _l("Stop")}

#: Kinds of steps in a project's story.
STAGE_EVENT = "stage"
EDITED = "edited"
NOT_ADOPTED = "not_adopted"

MONEY = "money"
STAFF_DAYS = "staff_days"
PREMISES = "premises"
CONTRIBUTION_KINDS = {MONEY: _l("Money (€)"), STAFF_DAYS: _l("Staff days"), PREMISES: _l("Premises (m² or description)")}

project_collective_need = Table(
    "project_collective_need",
    db.metadata,
    Column("project_id", ForeignKey("service_project.id", ondelete="CASCADE"), primary_key=True),
    Column("collective_need_id", ForeignKey("collective_need.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class ServiceProject(TenantMixin, db.Model):
    """A service being co-designed for collective needs, from the idea to the committee's decision."""

    __tablename__ = "service_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Where the idea came from when no collective need is linked (an event idea, a meeting).
    origin_text: Mapped[str] = mapped_column(Text, default="")
    service_key: Mapped[str | None] = mapped_column(String(60))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default=IDEA)
    #: The last committee decision's outcome, once decided.
    outcome: Mapped[str | None] = mapped_column(String(20))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("service_module.id", ondelete="SET NULL"), index=True)
    experiment_start: Mapped[date | None] = mapped_column()
    experiment_end: Mapped[date | None] = mapped_column()
    #: Module configuration to apply when the prototype opens (from a replicated template).
    module_config: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    #: Yearly running cost of the service, in euros, shared by the allocation key.
    running_cost: Mapped[int] = mapped_column(default=0)
    #: Share of the running cost paid by public partners, in percent.
    public_share: Mapped[int] = mapped_column(default=50)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead = relationship("User")
    module = relationship("ServiceModule")
    collective_needs = relationship("CollectiveNeed", secondary=project_collective_need,
                                    order_by="CollectiveNeed.id")
    partners = relationship("ProjectPartner", back_populates="project", cascade="all, delete-orphan",
                            order_by="ProjectPartner.id")
    targets = relationship("ProjectTarget", back_populates="project", cascade="all, delete-orphan",
                           order_by="ProjectTarget.id")
    events = relationship("ProjectEvent", back_populates="project", cascade="all, delete-orphan",
                          order_by="ProjectEvent.id")
    decisions = relationship("ProjectDecision", back_populates="project", cascade="all, delete-orphan",
                             order_by="ProjectDecision.id")
    contributions = relationship("ProjectContribution", back_populates="project", cascade="all, delete-orphan",
                                 order_by="ProjectContribution.id")


class ProjectPartner(TenantMixin, db.Model):
    """An organization committed to co-design the service; pilots test the prototype."""

    __tablename__ = "project_partner"
    __table_args__ = (UniqueConstraint("project_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("service_project.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    pilot: Mapped[bool] = mapped_column(default=False)
    commitment: Mapped[str] = mapped_column(String(300), default="")

    project = relationship("ServiceProject", back_populates="partners")
    organization = relationship("Organization")


class ProjectTarget(TenantMixin, db.Model):
    """The value an indicator should reach over the experiment period."""

    __tablename__ = "project_target"
    __table_args__ = (UniqueConstraint("project_id", "indicator_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("service_project.id", ondelete="CASCADE"), index=True)
    indicator_key: Mapped[str] = mapped_column(String(80))
    target_value: Mapped[float] = mapped_column()

    project = relationship("ServiceProject", back_populates="targets")


class ProjectEvent(TenantMixin, db.Model):
    """One step of the project's story: a move between stages, an edit, or a committee vote that did not pass."""

    __tablename__ = "project_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("service_project.id", ondelete="CASCADE"), index=True)
    #: stage (a move), edited (fields changed, listed in details) or not_adopted (a vote failed).
    kind: Mapped[str] = mapped_column(String(20), default=STAGE_EVENT, server_default=STAGE_EVENT)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: What changed (edits) or how the vote ended (not adopted).
    details: Mapped[dict | None] = mapped_column(JSONDocument)
    #: The committee vote behind this step, when there is one.
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("governance_agenda_item.id", ondelete="SET NULL"),
                                                       index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("ServiceProject", back_populates="events")
    actor = relationship("User")
    agenda_item = relationship("AgendaItem")


class ProjectDecision(TenantMixin, db.Model):
    """The committee's decision at the end of an evaluation, with its vote tally."""

    __tablename__ = "project_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("service_project.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date] = mapped_column()
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    votes_abstain: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: The closed committee vote this decision comes from (the only way a decision is taken).
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("governance_agenda_item.id", ondelete="SET NULL"),
                                                       index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("ServiceProject", back_populates="decisions")
    agenda_item = relationship("AgendaItem")


class SatisfactionAnswer(TenantMixin, db.Model):
    """A prototype user's satisfaction score (1 to 5) with an optional comment."""

    __tablename__ = "project_satisfaction"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("service_project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectContribution(TenantMixin, db.Model):
    """What one partner brings for one period: money, staff days or premises."""

    __tablename__ = "project_contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("service_project.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    #: A free period label, e.g. "2026" or "2026-S1".
    period: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[float] = mapped_column(Numeric(12, 2), default=0)
    note: Mapped[str] = mapped_column(String(200), default="")

    project = relationship("ServiceProject", back_populates="contributions")
    organization = relationship("Organization")
