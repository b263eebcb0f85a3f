"""The one place that writes IoT training rows, and the queries its pages use.

Seats are guarded by locking the session row (``SELECT … FOR UPDATE``) before counting: two
people taking the last seat at once are served one after the other, and the second one joins
the waiting list. On SQLite the whole database is locked by the first write of the transaction,
which every path below makes before it counts.

The status of an enrolment is the status of its service request, moved only through the core's
``apply_transition`` so the request's history tells the whole story. ``apply_transition``
commits; a move made from inside a request hook (placing a new enrolment, promoting the next
person when a seat frees) therefore commits the surrounding transaction with it.
"""
from datetime import timedelta

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from coopserv.plugin_api import (
    ACTIVE,
    COMPANY_REFERENT,
    IllegalTransition,
    Membership,
    ServiceRequest,
    Territory,
    _l,
    apply_transition,
    db,
    format_day,
    gettext,
    link_target,
    local_date_of,
    local_today,
    notify,
    send_email_to_users,
    utcnow,
)

from .models import (
    CANCELLED,
    CLOSED,
    CONFIRMED,
    OPEN,
    Attendance,
    Course,
    CourseNeed,
    Enrolment,
    SessionDay,
    SkillNeed,
    SurveyAnswer,
    TrainingSession,
)
from .schemas import IotTrainingConfigSchema

SERVICE_KEY = "iot_training"
#: Request statuses that hold a seat.
SEATED = ("enrolled", "completed", "not_completed")
#: Request statuses still waiting for the session to happen.
ACTIVE_STATES = ("submitted", "awaiting_approval", "waiting_list", "enrolled")


def today():
    """Today in the territory's calendar (training days are local days)."""
    return local_today()


def module_config(module):
    return IotTrainingConfigSchema().load((module.config if module else None) or {})


def _link(endpoint, **values):
    """Where a notification leads; its URL is built when it is shown (so the tick makes links too)."""
    return link_target(endpoint, **values)


# -- reading ------------------------------------------------------------------------------------

def lock_session(session_id):
    """Load a session and lock its row until the transaction ends."""
    return db.session.scalar(
        select(TrainingSession).where(TrainingSession.id == session_id).with_for_update()
        .execution_options(populate_existing=True)
    )


def _count(session_id, statuses):
    return db.session.scalar(
        select(func.count(Enrolment.id)).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.session_id == session_id, ServiceRequest.status.in_(statuses))
    ) or 0


def seated_count(session_id):
    return _count(session_id, SEATED)


def waiting_count(session_id):
    return _count(session_id, ("waiting_list",))


def seat_index(session_ids):
    """(seated, waiting) per session, in one query."""
    index = {session_id: [0, 0] for session_id in session_ids}
    if not session_ids:
        return index
    rows = db.session.execute(
        select(Enrolment.session_id, ServiceRequest.status, func.count(Enrolment.id))
        .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.session_id.in_(session_ids), ServiceRequest.status.in_(SEATED + ("waiting_list",)))
        .group_by(Enrolment.session_id, ServiceRequest.status)
    ).all()
    for session_id, status, count in rows:
        index[session_id][1 if status == "waiting_list" else 0] += count
    return index


def registration_problem(session):
    """Why nobody may enrol in ``session`` now, or None."""
    if session is None:
        return gettext("Choose one of the proposed sessions.")
    if session.status == CANCELLED:
        return gettext("This session was cancelled.")
    if session.status == CLOSED or session.first_day <= today():
        return gettext("This session has already started.")
    if session.registration_deadline < today():
        return gettext("Registrations for this session closed on %(date)s.",
                       date=format_day(session.registration_deadline))
    return None


def open_sessions():
    """Sessions people may still enrol in, soonest first, with their course and days."""
    return db.session.scalars(
        select(TrainingSession).join(Course)
        .where(TrainingSession.status.in_((OPEN, CONFIRMED)), TrainingSession.registration_deadline >= today(),
               TrainingSession.first_day > today(), Course.active.is_(True))
        .options(joinedload(TrainingSession.course), selectinload(TrainingSession.days))
        .order_by(TrainingSession.first_day, TrainingSession.id)
    ).all()


def catalogue():
    """Active courses with the needs they address and their sessions, in three queries."""
    return db.session.scalars(
        select(Course).where(Course.active.is_(True))
        .options(selectinload(Course.needs).joinedload(SkillNeed.organization), selectinload(Course.sessions))
        .order_by(Course.title)
    ).all()


def list_courses():
    return db.session.scalars(
        select(Course).options(selectinload(Course.needs).joinedload(SkillNeed.organization))
        .order_by(Course.active.desc(), Course.title)
    ).all()


def list_sessions():
    return db.session.scalars(
        select(TrainingSession).options(joinedload(TrainingSession.course))
        .order_by(TrainingSession.first_day.desc(), TrainingSession.id.desc())
    ).all()


def list_needs(organization_ids=None):
    query = select(SkillNeed).options(joinedload(SkillNeed.organization)).order_by(SkillNeed.created_at.desc(),
                                                                                     SkillNeed.id.desc())
    if organization_ids is not None:
        query = query.where(SkillNeed.organization_id.in_(organization_ids))
    return db.session.scalars(query).all()


def courses_by_need(need_ids):
    """Titles of the courses addressing each need."""
    index = {need_id: [] for need_id in need_ids}
    if need_ids:
        rows = db.session.execute(
            select(CourseNeed.need_id, Course.title).join(Course, Course.id == CourseNeed.course_id)
            .where(CourseNeed.need_id.in_(need_ids)).order_by(Course.title)
        ).all()
        for need_id, title in rows:
            index[need_id].append(title)
    return index


def get_session(session_id):
    return db.session.scalar(
        select(TrainingSession).filter_by(id=session_id)
        .options(joinedload(TrainingSession.course), selectinload(TrainingSession.days))
    )


def get_course(course_id):
    return db.session.scalar(select(Course).filter_by(id=course_id).options(selectinload(Course.need_links)))


def get_enrolment(enrolment_id):
    return db.session.scalar(
        select(Enrolment).filter_by(id=enrolment_id)
        .options(joinedload(Enrolment.request), joinedload(Enrolment.session).selectinload(TrainingSession.days),
                 joinedload(Enrolment.session).joinedload(TrainingSession.course))
    )


def enrolment_for_request(request_id):
    return db.session.scalar(
        select(Enrolment).filter_by(request_id=request_id)
        .options(joinedload(Enrolment.session).joinedload(TrainingSession.course),
                 joinedload(Enrolment.session).selectinload(TrainingSession.days))
    )


def session_enrolments(session_id):
    """Every enrolment of a session with its request, person and company, oldest first."""
    return db.session.scalars(
        select(Enrolment).where(Enrolment.session_id == session_id)
        .options(joinedload(Enrolment.request), joinedload(Enrolment.user), joinedload(Enrolment.organization),
                 joinedload(Enrolment.survey))
        .order_by(Enrolment.id)
    ).all()


def my_enrolments(user_id):
    return db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user_id)
        .options(joinedload(Enrolment.request), joinedload(Enrolment.survey),
                 joinedload(Enrolment.session).joinedload(TrainingSession.course),
                 joinedload(Enrolment.session).selectinload(TrainingSession.days))
        .order_by(Enrolment.id.desc())
    ).all()


def pending_approvals(organization_ids):
    """Enrolments of these companies' employees waiting for their referent."""
    if not organization_ids:
        return []
    return db.session.scalars(
        select(Enrolment).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.organization_id.in_(organization_ids), ServiceRequest.status == "awaiting_approval")
        .options(selectinload(Enrolment.user), selectinload(Enrolment.organization),
                 selectinload(Enrolment.session).selectinload(TrainingSession.course))
        .order_by(Enrolment.id)
    ).all()


def waiting_position(enrolment):
    """1 for the first person on the session's waiting list."""
    return 1 + (db.session.scalar(
        select(func.count(Enrolment.id)).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.session_id == enrolment.session_id, ServiceRequest.status == "waiting_list",
               (Enrolment.queued_at < enrolment.queued_at)
               | ((Enrolment.queued_at == enrolment.queued_at) & (Enrolment.id < enrolment.id)))
    ) or 0)


def attendance_counts(session_id):
    """Days attended per enrolment of a session."""
    return dict(db.session.execute(
        select(Attendance.enrolment_id, func.count(Attendance.id)).join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(Enrolment.session_id == session_id).group_by(Attendance.enrolment_id)
    ).all())


def attendance_pairs(session_id):
    return set(db.session.execute(
        select(Attendance.enrolment_id, Attendance.day_id).join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(Enrolment.session_id == session_id)
    ).all())


def days_needed(session, threshold):
    """Days to attend for a certificate: ``threshold`` % of the days, rounded up."""
    total = len(session.days)
    return -(-total * threshold // 100)


def is_over(session):
    return session.status != CANCELLED and session.last_day <= today()


def certificate_eligible(enrolment, threshold, attended=None):
    """Whether a participant attended enough days of a session that has ended."""
    session = enrolment.session
    if enrolment.request.status not in SEATED or not is_over(session) or not session.days:
        return False
    if attended is None:
        attended = attendance_counts(session.id).get(enrolment.id, 0)
    return attended >= days_needed(session, threshold)


def assign_certificate_number(enrolment):
    """Give an eligible enrolment its certificate number, the territory's next, unless it has one.

    The number is stored so a printed certificate is never renumbered. The first statement writes
    (a no-op on the enrolment's row): SQLite then holds the database's write lock, PostgreSQL this
    enrolment's row, so the same certificate opened twice at once waits for the first. Locking the
    territory's row then serialises two certificates issued at once in one territory (PostgreSQL):
    the second reads the first's rank, and the enrolment's own number again. The unique
    constraints on (territory, rank) and (territory, number) are the backstop. The caller commits.
    """
    if enrolment.certificate_number is not None:
        return enrolment.certificate_number
    db.session.execute(update(Enrolment).where(Enrolment.id == enrolment.id)
                       .values(certificate_sequence=Enrolment.certificate_sequence))
    slug = db.session.scalar(select(Territory.slug).where(Territory.id == enrolment.territory_id).with_for_update())
    if db.session.scalar(select(Enrolment.certificate_number).where(Enrolment.id == enrolment.id)) is None:
        rank = (db.session.scalar(select(func.max(Enrolment.certificate_sequence))) or 0) + 1
        db.session.execute(update(Enrolment).where(Enrolment.id == enrolment.id)
                           .values(certificate_sequence=rank, certificate_number=certificate_label(slug, rank)))
    db.session.refresh(enrolment, ["certificate_number", "certificate_sequence"])
    return enrolment.certificate_number


def certificate_label(slug, rank):
    """What the certificate prints: the territory and the rank (``AUTUN-MORVAN-IOT-7``)."""
    return f"{slug.upper()}-IOT-{rank}"


def issue_certificate(enrolment):
    """Issue an eligible enrolment's certificate (page or PDF): its number is assigned the first time."""
    if enrolment.certificate_number is None:
        assign_certificate_number(enrolment)
        db.session.commit()
    return enrolment.certificate_number


def may_answer_survey(enrolment):
    return enrolment.request.status in SEATED and is_over(enrolment.session) and enrolment.survey is None


def survey_summary(session_id):
    """(answers, average score) of a session's survey."""
    count, average = db.session.execute(
        select(func.count(SurveyAnswer.id), func.avg(SurveyAnswer.score))
        .join(Enrolment, Enrolment.id == SurveyAnswer.enrolment_id).where(Enrolment.session_id == session_id)
    ).one()
    return count, (round(float(average), 1) if average is not None else None)


def referent_ids(organization_id):
    """Company referents of an organization, who approve its employees' enrolments."""
    if organization_id is None:
        return []
    return db.session.scalars(
        select(Membership.user_id).where(Membership.organization_id == organization_id,
                                         Membership.role == COMPANY_REFERENT, Membership.status == ACTIVE)
    ).all()


# -- enrolments: placing, approving, promoting, cancelling ---------------------------------------

def _seat_or_queue(session):
    """A free seat goes to a newcomer only when nobody is waiting for it already."""
    if seated_count(session.id) < session.capacity and waiting_count(session.id) == 0:
        return "seat"
    return "queue"


def store_enrolment(request, payload):
    """Create the enrolment of a new request and place it (approval, seat or waiting list)."""
    session = lock_session(payload["session_id"])
    problem = registration_problem(session)
    if problem:
        raise ValidationError({"session_id": [problem]})
    already = db.session.scalar(
        select(func.count(Enrolment.id)).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.session_id == session.id, Enrolment.user_id == request.requester_id,
               ServiceRequest.status.in_(ACTIVE_STATES[1:] + SEATED))
    )
    if already:
        raise ValidationError({"session_id": [gettext("You are already enrolled in this session.")]})
    enrolment = Enrolment(request_id=request.id, session_id=session.id, user_id=request.requester_id,
                          organization_id=request.organization_id, motivation=payload.get("motivation", ""))
    db.session.add(enrolment)
    db.session.flush()
    needs_approval = module_config(request.module)["referent_approval"] and \
        request.requester_id not in referent_ids(request.organization_id)
    move = "ask_approval" if needs_approval else _seat_or_queue(session)
    apply_transition(request, move, None, may_operate=True, commit=False)
    return enrolment


def decide_approval(enrolment, referent, decision):
    """A company referent approves (seat or waiting list) or declines an employee's enrolment."""
    request = enrolment.request
    if request.status != "awaiting_approval":
        raise ValidationError({"decision": [gettext("This enrolment is no longer waiting for approval.")]})
    if decision == "decline":
        return apply_transition(request, "decline", referent, may_operate=True)
    session = lock_session(enrolment.session_id)
    if session.status in (CANCELLED, CLOSED) or session.first_day <= today():
        db.session.rollback()
        raise ValidationError({"decision": [gettext("This session is cancelled or has started.")]})
    return apply_transition(request, _seat_or_queue(session), referent, may_operate=True)


def fill_free_seats(session_id):
    """Give each free seat to the next person on the waiting list, who is notified; return them."""
    promoted = []
    while True:
        session = lock_session(session_id)
        if session is None or session.status not in (OPEN, CONFIRMED) or session.first_day <= today():
            break
        if seated_count(session.id) >= session.capacity:
            break
        following = db.session.scalar(
            select(Enrolment).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
            .where(Enrolment.session_id == session.id, ServiceRequest.status == "waiting_list")
            .order_by(Enrolment.queued_at, Enrolment.id).limit(1)
        )
        if following is None:
            break
        apply_transition(following.request, "seat", None, may_operate=True)
        promoted.append(following)
    return promoted


def request_moved(request, change):
    """Keep the training side in step with a request's new status; refuse moves that break a rule."""
    enrolment = enrolment_for_request(request.id)
    if enrolment is None:
        return
    session = lock_session(enrolment.session_id)
    course = session.course.title
    target = change.to_status
    if target == "enrolled":
        if session.status in (CANCELLED, CLOSED):
            raise IllegalTransition(gettext("This session is cancelled or closed."))
        if seated_count(session.id) > session.capacity:
            raise IllegalTransition(gettext("The session is full: put the person on the waiting list."))
        if change.from_status == "waiting_list":
            notify(enrolment.user_id, _l("A seat freed up in “%(course)s” starting %(date)s: you are enrolled."),
                   link_to=_link("requests.detail", request_id=request.id), course=course, date=session.first_day)
            _mail(enrolment, session, request, "iot_training/emails/promoted.html")
        else:
            _mail(enrolment, session, request, "iot_training/emails/enrolled.html")
    elif target == "waiting_list":
        enrolment.queued_at = utcnow()
        _mail(enrolment, session, request, "iot_training/emails/waiting_list.html")
    elif target == "awaiting_approval":
        for referent_id in referent_ids(enrolment.organization_id):
            notify(referent_id, _l("An employee asks to join “%(course)s” starting %(date)s: your approval is needed."),
                   link_to=_link("iot_training.approvals"), course=course, date=session.first_day)
    elif target == "session_cancelled":
        if session.status != CANCELLED:
            raise IllegalTransition(gettext("Cancel the whole session from its page; everyone is then notified."))
        notify(enrolment.user_id, _l("The session of “%(course)s” starting %(date)s is cancelled."),
               link_to=_link("requests.detail", request_id=request.id), course=course, date=session.first_day)
    elif target == "not_placed":
        if session.first_day > today():
            raise IllegalTransition(gettext("The session has not started yet."))
    elif target in ("completed", "not_completed"):
        if not is_over(session):
            raise IllegalTransition(gettext("The session is not over yet."))
        threshold = module_config(request.module)["completion_threshold"]
        if target == "completed" and not certificate_eligible(enrolment, threshold):
            raise IllegalTransition(gettext("This participant did not attend enough days for a certificate."))
        if target == "completed":
            assign_certificate_number(enrolment)  # the certificate is issued with the completion
    elif target == "withdrawn" and change.from_status == "enrolled":
        fill_free_seats(session.id)


def _session_facts(session):
    return dict(course=session.course.title, first_day=session.first_day, last_day=session.last_day,
                starts_at=session.starts_at, ends_at=session.ends_at, place=session.place)


def _mail(enrolment, session, request, template, category="requests", once_key=None):
    """E-mail a participant about their enrolment (after the commit, as their preferences say)."""
    send_email_to_users([enrolment.user_id], category, template, once_key=once_key,
                        link_to=_link("requests.detail", request_id=request.id), **_session_facts(session))


def send_session_reminders(now):
    """The day before a session starts (in the territory's calendar), remind everyone enrolled, once."""
    tomorrow = local_date_of(now) + timedelta(days=1)
    rows = db.session.execute(
        select(Enrolment, TrainingSession).join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(TrainingSession.first_day == tomorrow, TrainingSession.status.in_((OPEN, CONFIRMED)),
               ServiceRequest.status == "enrolled")
    ).all()
    for enrolment, session in rows:
        _mail(enrolment, session, enrolment.request, "iot_training/emails/session_reminder.html",
              category="reminders", once_key=f"iot-session-reminder:{session.id}:{enrolment.id}")
    db.session.commit()
    return len(rows)


def cancel_session(session, actor=None):
    """Cancel a session and every enrolment still open in it; each person is notified."""
    session = lock_session(session.id)
    if session.status == CLOSED:
        raise ValidationError({"_schema": [gettext("A closed session cannot be cancelled.")]})
    session.status = CANCELLED
    db.session.commit()
    return cancel_open_enrolments(session.id, actor)


def cancel_open_enrolments(session_id, actor=None):
    enrolments = db.session.scalars(
        select(Enrolment).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.session_id == session_id, ServiceRequest.status.in_(ACTIVE_STATES))
        .options(selectinload(Enrolment.request)).order_by(Enrolment.id)
    ).all()
    for enrolment in enrolments:
        apply_transition(enrolment.request, "cancel_session", actor, may_operate=True)
    return len(enrolments)


def cancel_sessions_on_stop(now=None):
    """The service stopped: sessions still to come are cancelled (their enrolments are already closed)."""
    today_ = local_date_of(now or utcnow())
    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.status.in_((OPEN, CONFIRMED)),
                                                                TrainingSession.last_day >= today_)).all()
    for session in sessions:
        session.status = CANCELLED
    return len(sessions)


def close_registrations(now):
    """At each deadline, confirm the session or cancel it when below its minimum; idempotent.

    Also finishes cancellations left half done and fills seats freed while nobody clicked.
    """
    day = local_date_of(now)
    due = db.session.scalars(
        select(TrainingSession.id).where(TrainingSession.status == OPEN, TrainingSession.registration_deadline < day)
        .order_by(TrainingSession.id)
    ).all()
    for session_id in due:
        session = lock_session(session_id)
        if session.status != OPEN:
            db.session.commit()
            continue
        if seated_count(session.id) < session.min_participants:
            cancel_session(session)
            continue
        session.status = CONFIRMED
        for user_id in db.session.scalars(
            select(Enrolment.user_id).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
            .where(Enrolment.session_id == session.id, ServiceRequest.status == "enrolled")
        ):
            notify(user_id, _l("The session of “%(course)s” starting %(date)s is confirmed."),
                   course=session.course.title, date=session.first_day)
        db.session.commit()
    unfinished = db.session.scalars(
        select(TrainingSession.id).join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(TrainingSession.status == CANCELLED, ServiceRequest.status.in_(ACTIVE_STATES)).distinct()
    ).all()
    for session_id in unfinished:
        cancel_open_enrolments(session_id)
    waiting = db.session.scalars(
        select(TrainingSession.id).join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(TrainingSession.status.in_((OPEN, CONFIRMED)), TrainingSession.first_day > day,
               ServiceRequest.status == "waiting_list").distinct()
    ).all()
    for session_id in waiting:
        fill_free_seats(session_id)
        db.session.commit()


def close_session(session, actor, threshold):
    """After the last day, mark each participant completed (enough attendance) or not; close it."""
    session = lock_session(session.id)
    if not is_over(session) or session.status == CLOSED:
        db.session.rollback()
        raise ValidationError({"_schema": [gettext("Only a session that has ended can be closed.")]})
    counts = attendance_counts(session.id)
    enrolments = db.session.scalars(
        select(Enrolment).join(ServiceRequest, ServiceRequest.id == Enrolment.request_id)
        .where(Enrolment.session_id == session.id, ServiceRequest.status.in_(ACTIVE_STATES))
        .options(selectinload(Enrolment.request), selectinload(Enrolment.session)).order_by(Enrolment.id)
    ).all()
    needed = days_needed(session, threshold)
    for enrolment in enrolments:
        status = enrolment.request.status
        if status == "enrolled":
            move = "complete" if counts.get(enrolment.id, 0) >= needed else "mark_incomplete"
        else:
            move = "release"
        apply_transition(enrolment.request, move, actor, may_operate=True)
    session = lock_session(session.id)
    session.status = CLOSED
    db.session.commit()


# -- attendance and survey ----------------------------------------------------------------------

def record_attendance(session, present):
    """Replace the ticks of the days already held with ``present`` (``<enrolment>-<day>`` strings)."""
    held = {day.id for day in session.days if day.day <= today()}
    participants = {e.id: e for e in session_enrolments(session.id) if e.request.status in SEATED}
    wanted = set()
    for token in present:
        try:
            enrolment_id, day_id = (int(part) for part in token.split("-"))
        except ValueError:
            raise ValidationError({"present": [gettext("This value is not valid.")]}) from None
        if enrolment_id not in participants or day_id not in {day.id for day in session.days}:
            raise ValidationError({"present": [gettext("Tick only participants of this session.")]})
        if day_id not in held:
            raise ValidationError({"present": [gettext("Attendance can be recorded from the day itself on.")]})
        wanted.add((enrolment_id, day_id))
    existing = {(row.enrolment_id, row.day_id): row for row in db.session.scalars(
        select(Attendance).join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(Enrolment.session_id == session.id))}
    for pair, row in existing.items():
        if pair not in wanted and pair[1] in held:
            db.session.delete(row)
    for enrolment_id, day_id in wanted - set(existing):
        db.session.add(Attendance(enrolment_id=enrolment_id, day_id=day_id,
                                  user_id=participants[enrolment_id].user_id))
    db.session.commit()
    return len(wanted)


def answer_survey(enrolment, data):
    """Store a participant's satisfaction answer, once."""
    if not (enrolment.request.status in SEATED and is_over(enrolment.session)):
        raise ValidationError({"score": [gettext("The survey opens to participants once the session is over.")]})
    if enrolment.survey is not None:
        raise ValidationError({"score": [gettext("You already answered this survey; thank you.")]})
    answer = SurveyAnswer(enrolment_id=enrolment.id, user_id=enrolment.user_id, score=data["score"],
                          comment=data.get("comment", ""))
    db.session.add(answer)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError({"score": [gettext("You already answered this survey; thank you.")]}) from None
    return answer


# -- needs, courses and sessions ------------------------------------------------------------------

def declare_need(organization, user, data):
    need = SkillNeed(organization_id=organization.id, declared_by_id=user.id, **data)
    db.session.add(need)
    db.session.commit()
    return need


def save_course(course, data):
    """Create or update a course and the needs it addresses."""
    need_ids = set(data.pop("need_ids", []) or [])
    known = set(db.session.scalars(select(SkillNeed.id).where(SkillNeed.id.in_(need_ids)))) if need_ids else set()
    if need_ids - known:
        raise ValidationError({"need_ids": [gettext("Choose needs declared in this territory.")]})
    if course is None:
        course = Course()
        db.session.add(course)
    for key, value in data.items():
        setattr(course, key, value)
    current = {link.need_id: link for link in course.need_links}
    for need_id, link in current.items():
        if need_id not in need_ids:
            course.need_links.remove(link)
    for need_id in need_ids - set(current):
        course.need_links.append(CourseNeed(need_id=need_id))
    db.session.commit()
    return course


def set_course_active(course, active):
    course.active = active
    db.session.commit()


def working_days(first, last):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() < 5]


def save_session(session, data):
    """Create or update a session; an edit never drops capacity below the people already seated."""
    course = db.session.scalar(select(Course).filter_by(id=data["course_id"]))
    if course is None:
        raise ValidationError({"course_id": [gettext("Choose one of the courses.")]})
    data = dict(data)
    data["last_day"] = data.get("last_day") or data["first_day"]
    if session is None:
        session = TrainingSession(status=OPEN)
        db.session.add(session)
    else:
        session = lock_session(session.id)
        if session.status in (CANCELLED, CLOSED) or session.first_day <= today():
            db.session.rollback()
            raise ValidationError({"_schema": [gettext("This session is cancelled or has started; it cannot be changed.")]})
        seated = seated_count(session.id)
        if data["capacity"] < seated:
            db.session.rollback()
            raise ValidationError({"capacity": [gettext("%(n)s people are already enrolled: the capacity cannot be lower.",
                                                        n=seated)]})
    for key, value in data.items():
        setattr(session, key, value)
    days = working_days(data["first_day"], data["last_day"])
    for existing in list(session.days):
        if existing.day not in days:
            session.days.remove(existing)
    known = {existing.day for existing in session.days}
    for day in days:
        if day not in known:
            session.days.append(SessionDay(day=day))
    db.session.commit()
    if session.status == CONFIRMED or session.registration_deadline >= today():
        fill_free_seats(session.id)
        db.session.commit()
    return session
