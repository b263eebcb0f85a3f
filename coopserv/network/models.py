"""Networks of territories and what they share. Not tenant-owned: a network spans territories.

Rows that come from one territory name it (``source_territory_id``,
``from_territory_id``); every read of territory data goes through
``network.services``, which limits it to the network's member territories.
"""
from datetime import date, datetime, time

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.extensions import JSONDocument, db
from coopserv.i18n import _l
from coopserv.timeutil import local_today, utcnow

COORDINATOR = "coordinator"
NETWORK_ROLES = {COORDINATOR: _l("Network coordinator")}

CO_ORGANISER = "co_organiser"
PARTNER_ROLES = {COORDINATOR: _l("Coordinates the network"), CO_ORGANISER: _l("Co-organises the seminars"),
                 "partner": _l("Partner")}

SEMINAR = "seminar"
TRANSFER_WORKSHOP = "transfer_workshop"
EVENT_KINDS = {SEMINAR: _l("Seminar of exchange and capitalisation"), TRANSFER_WORKSHOP: _l("Transfer workshop")}


class Network(db.Model):
    """A network of territories (ADEFPAT's, for the guide's experiment); one deployment may hold several."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    territories = relationship("NetworkTerritory", back_populates="network", cascade="all, delete-orphan",
                               order_by="NetworkTerritory.id")
    partners = relationship("NetworkPartner", back_populates="network", cascade="all, delete-orphan",
                            order_by="NetworkPartner.id")


class NetworkTerritory(db.Model):
    """A territory's membership of a network."""

    __tablename__ = "network_territory"
    __table_args__ = (UniqueConstraint("network_id", "territory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), index=True)
    joined_on: Mapped[date] = mapped_column(default=lambda: local_today())

    network = relationship("Network", back_populates="territories")
    territory = relationship("Territory")


class NetworkPartner(db.Model):
    """An organization acting at network level: the coordinator (ADEFPAT), a co-organiser (ARADEL)."""

    __tablename__ = "network_partner"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(20), default="partner")
    description: Mapped[str] = mapped_column(Text, default="")

    network = relationship("Network", back_populates="partners")


class NetworkMember(db.Model):
    """A person's role in a network (a coordinator), held whatever their roles in territories."""

    __tablename__ = "network_member"
    __table_args__ = (UniqueConstraint("network_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=COORDINATOR)
    #: The network-level organization the person works for (ADEFPAT…), when known.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("network_partner.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    partner = relationship("NetworkPartner")


class NetworkAuditEntry(db.Model):
    """Who changed a network's administration (territories, partners, coordinators), and when.

    The territory audit log is tenant-owned; a network spans territories, so it keeps its own.
    """

    __tablename__ = "network_audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: A dotted action name such as "network.territory_added".
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User")


class NetworkToken(db.Model):
    """A coordinator's API token for the network's endpoints (territory tokens stay in their territory)."""

    __tablename__ = "network_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")

    @property
    def active(self):
        return self.revoked_at is None


class PracticeSheet(db.Model):
    """A project told for other territories: context, need, service, partners, costs, results, lessons, risks.

    Text is written by the publishing territory; results, costs and the
    replication template are taken from the project when it is published.
    """

    __tablename__ = "practice_sheet"
    __table_args__ = (UniqueConstraint("network_id", "source_project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    source_territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), index=True)
    source_project_id: Mapped[int | None] = mapped_column(ForeignKey("service_project.id", ondelete="SET NULL"),
                                                          index=True)
    title: Mapped[str] = mapped_column(String(200))
    service_key: Mapped[str | None] = mapped_column(String(60))
    #: The project's stage and the committee's outcome when it was published.
    stage: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    context: Mapped[str] = mapped_column(Text, default="")
    need: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str] = mapped_column(Text, default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    costs: Mapped[str] = mapped_column(Text, default="")
    running_cost: Mapped[int] = mapped_column(default=0)
    public_share: Mapped[int] = mapped_column(default=50)
    #: [{"indicator", "label", "unit", "target", "measured", "reached"}] at publication.
    results: Mapped[list] = mapped_column(JSONDocument, default=list)
    lessons: Mapped[str] = mapped_column(Text, default="")
    #: "What happens if…" risks the territory met: [{"title", "category", "mitigation"}].
    risks: Mapped[list] = mapped_column(JSONDocument, default=list)
    #: A coopserv.project-template/1 document when the service is replicable (perennial), else None.
    template: Mapped[dict | None] = mapped_column(JSONDocument)
    #: Lower-case text searched by the library (title, service, context, need, lessons, territory).
    search_text: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    network = relationship("Network")
    source_territory = relationship("Territory")


class PracticeReplication(db.Model):
    """A territory started a project from a practice sheet."""

    __tablename__ = "practice_replication"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("practice_sheet.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("service_project.id", ondelete="SET NULL"), index=True)
    replicated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    replicated_at: Mapped[datetime] = mapped_column(default=utcnow)

    territory = relationship("Territory")


network_event_organiser = Table(
    "network_event_organiser",
    db.metadata,
    Column("event_id", ForeignKey("network_event.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("network_partner.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class NetworkEvent(db.Model):
    """A seminar or transfer workshop of the network, hosted by a member territory or elsewhere."""

    __tablename__ = "network_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=SEMINAR)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    host_territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    #: The shared minutes, written after the event.
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    host_territory = relationship("Territory")
    organisers = relationship("NetworkPartner", secondary=network_event_organiser, order_by="NetworkPartner.id")
    agenda = relationship("NetworkEventAgendaItem", back_populates="event", cascade="all, delete-orphan",
                          order_by="NetworkEventAgendaItem.position")
    registrations = relationship("NetworkEventRegistration", back_populates="event", cascade="all, delete-orphan",
                                 order_by="NetworkEventRegistration.id")


class NetworkEventAgendaItem(db.Model):
    """One slot of an event's agenda."""

    __tablename__ = "network_event_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("network_event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[time | None]
    title: Mapped[str] = mapped_column(String(200))
    speaker: Mapped[str] = mapped_column(String(200), default="")

    event = relationship("NetworkEvent", back_populates="agenda")


class NetworkEventRegistration(db.Model):
    """A person of a member territory registered to a network event, and whether they came."""

    __tablename__ = "network_event_registration"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("network_event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The member territory the person comes from.
    from_territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id", ondelete="CASCADE"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended: Mapped[bool] = mapped_column(default=False)

    event = relationship("NetworkEvent", back_populates="registrations")
    user = relationship("User", foreign_keys=[user_id])
    from_territory = relationship("Territory")
