"""Governance: the steering committee, its charter, meetings and votes, events and the risk register."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.i18n import _l
from coopserv.tenancy import TenantMixin
from coopserv.timeutil import utcnow

from .voting import (
    ABSTAIN,
    AGAINST,
    ASSOCIATIONS,
    COMPANIES,
    FOR,
    GENERAL_DECISION,
    ITERATE_DECISION,
    PERENNIAL_DECISION,
    PUBLIC,
    SIMPLE,
    STOP_DECISION,
    TWO_THIRDS,
)

COLLEGE_LABELS = {PUBLIC: _l("Public bodies"), COMPANIES: _l("Companies"), ASSOCIATIONS: _l("Associations")}
#: The college an organization's kind belongs to by default.
COLLEGE_OF_KIND = {"local_authority": PUBLIC, "company": COMPANIES, "association": ASSOCIATIONS}
CHOICE_LABELS = {FOR: _l("For"), AGAINST: _l("Against"), ABSTAIN: _l("Abstain")}
MAJORITY_LABELS = {SIMPLE: _l("Simple majority"), TWO_THIRDS: _l("Two-thirds majority")}
DECISION_KIND_LABELS = {PERENNIAL_DECISION: _l("Making a service perennial"),
                        ITERATE_DECISION: _l("Iterating a service (back to design)"),
                        STOP_DECISION: _l("Stopping a service"), GENERAL_DECISION: _l("Any other proposal")}
RESULT_LABELS = {"adopted": _l("Adopted"), "rejected": _l("Rejected"), "no_quorum": _l("Quorum not met")}
REASON_LABELS = {
    "quorum_not_met": _l("Not enough members voted for the quorum."),
    "no_expressed_votes": _l("Nobody voted for or against."),
    "tie": _l("Tie: the proposal is not adopted."),
    "majority_not_reached": _l("The majority voted against."),
    "two_thirds_not_reached": _l("Two-thirds of the expressed votes were not reached."),
    "college_majority_failed": _l("A college did not give a majority for the proposal."),
}

#: An agenda item's vote: none, open for ballots, or closed and counted.
NO_VOTE = "none"
VOTE_OPEN = "open"
VOTE_CLOSED = "closed"

TODO = "todo"
IN_PROGRESS = "in_progress"
DONE = "done"
ACTION_STATUSES = {TODO: _l("To do"), IN_PROGRESS: _l("In progress"), DONE: _l("Done")}

LEADERS_MEETING = "leaders_meeting"
STARTUP_EVENING = "startup_evening"
EVENT_KINDS = {LEADERS_MEETING: _l("Business leaders' meeting"),
               STARTUP_EVENING: _l("Project-emergence evening (Start Up de Territoire)")}

RISK_CATEGORIES = {
    "leader_leaves": _l("A leader leaves"),
    "funding_ends": _l("Funding ends"),
    "companies_disengage": _l("Companies disengage"),
    "low_use": _l("A service is barely used"),
    "other": _l("Other"),
}


class GovernanceSettings(TenantMixin, db.Model):
    """A territory's rule for the committee's balance."""

    __tablename__ = "governance_settings"
    __table_args__ = (UniqueConstraint("territory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Minimum share (percent) of committee members from companies and associations.
    min_private_share: Mapped[int] = mapped_column(default=50)


class CommitteeSeat(TenantMixin, db.Model):
    """The college a committee member sits in, when an admin set it (else derived from the organization)."""

    __tablename__ = "governance_committee_seat"
    __table_args__ = (UniqueConstraint("territory_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    college: Mapped[str] = mapped_column(String(20))

    user = relationship("User")


class CharterVersion(TenantMixin, db.Model):
    """One version of the charter: the committee's rules of operation."""

    __tablename__ = "governance_charter_version"
    __table_args__ = (UniqueConstraint("territory_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    adopted_on: Mapped[date]
    #: The voting rule each kind of decision needs ({kind: {quorum_percent, majority, each_college}});
    #: None, or a kind left out, means the default rule (simple majority, quorum of half the members).
    decision_rules: Mapped[dict | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    signatures = relationship("CharterSignature", back_populates="version", order_by="CharterSignature.id",
                              cascade="all, delete-orphan")


class CharterSignature(TenantMixin, db.Model):
    """An organization's signature of a charter version, with what it commits to bring."""

    __tablename__ = "governance_charter_signature"
    __table_args__ = (UniqueConstraint("version_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("governance_charter_version.id", ondelete="CASCADE"),
                                            index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    signed_on: Mapped[date]
    #: Yearly funding in euros.
    funding_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)
    #: Staff days given per year.
    staff_days: Mapped[int] = mapped_column(default=0)
    premises: Mapped[str] = mapped_column(String(300), default="")
    #: A provider's quality pledge (response times, service level).
    quality_pledge: Mapped[str] = mapped_column(Text, default="")

    version = relationship("CharterVersion", back_populates="signatures")
    organization = relationship("Organization")


class Meeting(TenantMixin, db.Model):
    """A steering committee meeting."""

    __tablename__ = "governance_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    invitations_sent_at: Mapped[datetime | None]
    #: Grows each time the date, time or place changes after invitations, so calendars update the entry.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items = relationship("AgendaItem", back_populates="meeting", order_by="AgendaItem.position",
                         cascade="all, delete-orphan")
    attendances = relationship("MeetingAttendance", back_populates="meeting", cascade="all, delete-orphan")
    actions = relationship("ActionItem", back_populates="meeting", order_by="ActionItem.due_on",
                           cascade="all, delete-orphan")


class MeetingAttendance(TenantMixin, db.Model):
    """A committee member invited to a meeting, and whether they came."""

    __tablename__ = "governance_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("governance_meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime | None]
    present: Mapped[bool] = mapped_column(default=False)

    meeting = relationship("Meeting", back_populates="attendances")
    user = relationship("User")


class AgendaItem(TenantMixin, db.Model):
    """An item on a meeting's agenda, possibly a proposal the committee votes on."""

    __tablename__ = "governance_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("governance_meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    proposal: Mapped[str] = mapped_column(Text, default="")
    vote_status: Mapped[str] = mapped_column(String(10), default=NO_VOTE)
    quorum_percent: Mapped[int] = mapped_column(default=50)
    majority: Mapped[str] = mapped_column(String(12), default=SIMPLE)
    each_college: Mapped[bool] = mapped_column(default=False)
    #: A service project this decision applies to, and the outcome proposed for it.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("service_project.id", ondelete="SET NULL"), index=True)
    project_outcome: Mapped[str | None] = mapped_column(String(20))
    #: The charter version whose rule the vote took (it may only be stricter).
    charter_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_charter_version.id", ondelete="SET NULL"), index=True)
    #: A collective need put on the agenda once it passed the territory's threshold.
    collective_need_id: Mapped[int | None] = mapped_column(ForeignKey("collective_need.id", ondelete="SET NULL"),
                                                           index=True)
    #: Filled when the vote closes: adopted / rejected / no_quorum, why, and the tally.
    result: Mapped[str | None] = mapped_column(String(12))
    result_reason: Mapped[str | None] = mapped_column(String(40))
    tally: Mapped[dict | None] = mapped_column(JSONDocument)
    closed_at: Mapped[datetime | None]

    meeting = relationship("Meeting", back_populates="items")
    project = relationship("ServiceProject")
    charter_version = relationship("CharterVersion")
    collective_need = relationship("CollectiveNeed")
    votes = relationship("CommitteeVote", back_populates="item", cascade="all, delete-orphan")


class CommitteeVote(TenantMixin, db.Model):
    """A committee member's vote on an agenda item; one per member, changeable while the vote is open."""

    __tablename__ = "governance_vote"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("governance_agenda_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The voter's college when they voted.
    college: Mapped[str] = mapped_column(String(20))
    choice: Mapped[str] = mapped_column(String(10))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    item = relationship("AgendaItem", back_populates="votes")
    user = relationship("User")


class ActionItem(TenantMixin, db.Model):
    """Something a person committed to do after a meeting."""

    __tablename__ = "governance_action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("governance_meeting.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default=TODO)

    meeting = relationship("Meeting", back_populates="actions")
    owner = relationship("User")

    def overdue(self, today):
        return self.status != DONE and self.due_on < today


class GovernanceEvent(TenantMixin, db.Model):
    """A business leaders' meeting or a project-emergence evening."""

    __tablename__ = "governance_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registrations = relationship("EventRegistration", back_populates="event", cascade="all, delete-orphan")
    ideas = relationship("IdeaPitch", back_populates="event", cascade="all, delete-orphan")


class EventRegistration(TenantMixin, db.Model):
    """A person registered to an event."""

    __tablename__ = "governance_event_registration"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("governance_event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("GovernanceEvent", back_populates="registrations")
    user = relationship("User")
    organization = relationship("Organization")


class IdeaPitch(TenantMixin, db.Model):
    """An idea pitched at an event; the best ones become service projects."""

    __tablename__ = "governance_idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("governance_event.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    pitch: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("service_project.id", ondelete="SET NULL"), index=True)

    event = relationship("GovernanceEvent", back_populates="ideas")
    author = relationship("User")
    project = relationship("ServiceProject")
    votes = relationship("IdeaVote", back_populates="idea", cascade="all, delete-orphan")


class IdeaVote(TenantMixin, db.Model):
    """A participant's vote for an idea (one per idea and participant)."""

    __tablename__ = "governance_idea_vote"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("governance_idea.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea = relationship("IdeaPitch", back_populates="votes")


class Risk(TenantMixin, db.Model):
    """A "what happens if…" entry of the risk register."""

    __tablename__ = "governance_risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), default="other")
    likelihood: Mapped[int]
    impact: Mapped[int]
    mitigation: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    review_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User")

    @property
    def score(self):
        """Likelihood times impact, 1-25."""
        return self.likelihood * self.impact

    def review_overdue(self, today):
        return self.review_on < today
