"""IoT training tables: companies' skills needs, courses, sessions and their days, enrolments,
attendance and satisfaction answers.

Where an enrolment stands (awaiting approval, waiting list, enrolled…) is the status of its
service request: the core's request is the one source of truth, so seat counts join it.
"""
from datetime import date, datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import TenantMixin, db, utcnow

LEVELS = ("beginner", "intermediate", "advanced")
#: Session life: registrations open, confirmed at the deadline, cancelled, or closed after it ran.
OPEN, CONFIRMED, CANCELLED, CLOSED = "open", "confirmed", "cancelled", "closed"
SESSION_STATUSES = (OPEN, CONFIRMED, CANCELLED, CLOSED)


class SkillNeed(TenantMixin, db.Model):
    """A skills need a company declares (e.g. "maintain our LoRaWAN sensors"), for co-designing courses."""

    __tablename__ = "iot_training_skill_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    #: The referent who declared it; None once their personal data is erased.
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    #: How many employees the company would train.
    people_count: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization")


class Course(TenantMixin, db.Model):
    """A course of the catalogue, designed with the companies whose needs it addresses."""

    __tablename__ = "iot_training_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20), default="beginner")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need_links = relationship("CourseNeed", back_populates="course", cascade="all, delete-orphan")
    needs = relationship("SkillNeed", secondary="iot_training_course_need", viewonly=True,
                         order_by="SkillNeed.title")
    sessions = relationship("TrainingSession", back_populates="course", order_by="TrainingSession.first_day")


class CourseNeed(TenantMixin, db.Model):
    """A declared need that a course addresses."""

    __tablename__ = "iot_training_course_need"
    __table_args__ = (UniqueConstraint("course_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("iot_training_course.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("iot_training_skill_need.id", ondelete="CASCADE"), index=True)

    course = relationship("Course", back_populates="need_links")


class TrainingSession(TenantMixin, db.Model):
    """One run of a course: its days, place, trainer, seats and registration deadline."""

    __tablename__ = "iot_training_session"
    __table_args__ = (Index("ix_iot_training_session_first_day", "territory_id", "first_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("iot_training_course.id", ondelete="CASCADE"), index=True)
    #: First and last training day; the days themselves (working days in between) are SessionDay rows.
    first_day: Mapped[date] = mapped_column()
    last_day: Mapped[date] = mapped_column()
    starts_at: Mapped[time] = mapped_column()
    ends_at: Mapped[time] = mapped_column()
    place: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(160))
    capacity: Mapped[int] = mapped_column()
    #: Below this many enrolled participants at the deadline, the session is cancelled.
    min_participants: Mapped[int] = mapped_column()
    #: Last day on which people may enrol.
    registration_deadline: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course", back_populates="sessions")
    days = relationship("SessionDay", back_populates="session", order_by="SessionDay.day",
                        cascade="all, delete-orphan")


class SessionDay(TenantMixin, db.Model):
    """One training day of a session; attendance is recorded per day."""

    __tablename__ = "iot_training_session_day"
    __table_args__ = (UniqueConstraint("session_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("iot_training_session.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column()

    session = relationship("TrainingSession", back_populates="days")


class Enrolment(TenantMixin, db.Model):
    """The training side of a service request: who enrols in which session, and since when they wait."""

    __tablename__ = "iot_training_enrolment"
    __table_args__ = (UniqueConstraint("territory_id", "certificate_sequence"),
                      UniqueConstraint("territory_id", "certificate_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("iot_training_session.id", ondelete="CASCADE"), index=True)
    #: None once the person's data is erased; the row stays for the statistics.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    motivation: Mapped[str] = mapped_column(Text, default="")
    #: When the person joined the waiting list; orders it (first come, first served).
    queued_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The completion certificate's number, stored when it is first issued: printed once, never changed.
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    #: Its rank among the territory's certificates (1, 2…); None for numbers kept from before ranks existed.
    certificate_sequence: Mapped[int | None] = mapped_column()

    request = relationship("ServiceRequest")
    session = relationship("TrainingSession")
    user = relationship("User")
    organization = relationship("Organization")
    attendances = relationship("Attendance", back_populates="enrolment", cascade="all, delete-orphan")
    survey = relationship("SurveyAnswer", back_populates="enrolment", uselist=False, cascade="all, delete-orphan")


class Attendance(TenantMixin, db.Model):
    """A participant was there on one day of the session (no row: absent)."""

    __tablename__ = "iot_training_attendance"
    __table_args__ = (UniqueConstraint("enrolment_id", "day_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("iot_training_enrolment.id", ondelete="CASCADE"),
                                              index=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("iot_training_session_day.id", ondelete="CASCADE"), index=True)
    #: Repeated from the enrolment so the person's data can be exported and erased.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment = relationship("Enrolment", back_populates="attendances")
    day = relationship("SessionDay")


class SurveyAnswer(TenantMixin, db.Model):
    """A participant's satisfaction after the session: a score from 1 to 5 and a comment."""

    __tablename__ = "iot_training_survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("iot_training_enrolment.id", ondelete="CASCADE"),
                                              unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment = relationship("Enrolment", back_populates="survey")
