"""IoT training input schemas: module config, enrolment (the request), needs, courses, sessions,
attendance, approvals and the satisfaction survey."""
from datetime import timedelta

from marshmallow import ValidationError, fields, post_load, pre_load, validates_schema
from sqlalchemy import select

from coopserv.plugin_api import (
    Schema,
    _l,
    between,
    db,
    lazy_gettext,
    length,
    local_today,
    one_of,
)

from .models import LEVELS, TrainingSession

#: Longest session, first to last day, so a typo in a year does not create hundreds of days.
MAX_SPAN_DAYS = 31


class IotTrainingConfigSchema(Schema):
    """How a territory runs its training offer."""

    referent_approval = fields.Boolean(load_default=False, metadata={
        "label": _l("Enrolments need the approval of the employee's company referent")})
    completion_threshold = fields.Integer(load_default=80, validate=between(1, 100), metadata={
        "label": _l("Share of days to attend for a completion certificate (%)")})
    welcome_text = fields.String(load_default="", validate=length(max=500),
                                 metadata={"label": _l("Welcome text shown above the catalogue")})


def _as_list(data, key):
    """A form sends one value as a string and several as a list; blanks mean nothing chosen."""
    if not hasattr(data, "get") or key not in data:
        return data
    value = data[key]
    values = value if isinstance(value, list) else [value]
    data = dict(data)
    data[key] = [item for item in values if str(item).strip() != ""]
    return data


class EnrolmentSchema(Schema):
    """An employee's enrolment in one session (the service request's payload)."""

    session_id = fields.Integer(required=True)
    motivation = fields.String(load_default="", validate=length(max=1000))

    @validates_schema
    def _session_open(self, data, **kwargs):
        from .services import registration_problem

        if data.get("session_id") is None:
            return
        session = db.session.scalar(select(TrainingSession).filter_by(id=data["session_id"]))
        problem = registration_problem(session)
        if problem:
            raise ValidationError(problem, "session_id")

    @post_load
    def _describe(self, data, **kwargs):
        """Keep the course and first day in the payload, for the request lists' summary."""
        session = db.session.scalar(select(TrainingSession).filter_by(id=data["session_id"]))
        if session is not None:
            data["course_title"] = session.course.title
            data["first_day"] = session.first_day
        return data


class SkillNeedSchema(Schema):
    title = fields.String(required=True, validate=length(min=3, max=160))
    description = fields.String(load_default="", validate=length(max=2000))
    people_count = fields.Integer(load_default=1, validate=between(1, 500))


class CourseSchema(Schema):
    title = fields.String(required=True, validate=length(min=3, max=160))
    summary = fields.String(load_default="", validate=length(max=4000))
    level = fields.String(load_default="beginner", validate=one_of(LEVELS))
    need_ids = fields.List(fields.Integer(), load_default=list)

    @pre_load
    def _need_list(self, data, **kwargs):
        return _as_list(data, "need_ids")


class SessionSchema(Schema):
    """A session's dates, hours, place, trainer and seats; dates are checked against today.

    When editing, set ``schema.session``: a deadline left as it was may lie in the past (a
    confirmed session keeps its passed deadline when only its place changes).
    """

    session = None

    course_id = fields.Integer(required=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date()
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)
    place = fields.String(required=True, validate=length(min=3, max=200))
    trainer = fields.String(required=True, validate=length(min=3, max=160))
    capacity = fields.Integer(required=True, validate=between(1, 200))
    min_participants = fields.Integer(required=True, validate=between(1, 200))
    registration_deadline = fields.Date(required=True)

    @validates_schema
    def _coherent(self, data, **kwargs):
        today = local_today()
        errors = {}
        first, deadline = data.get("first_day"), data.get("registration_deadline")
        last = data.get("last_day") or first
        if first is not None:
            if first <= today:
                errors["first_day"] = [lazy_gettext("Choose a day after today.")]
            elif last < first:
                errors["last_day"] = [lazy_gettext("The last day cannot be before the first day.")]
            elif last - first > timedelta(days=MAX_SPAN_DAYS):
                errors["last_day"] = [lazy_gettext("A session lasts at most %(n)s days.") % {"n": MAX_SPAN_DAYS}]
            elif not any((first + timedelta(days=n)).weekday() < 5 for n in range((last - first).days + 1)):
                errors["first_day"] = [lazy_gettext("The session must include at least one working day.")]
        unchanged = self.session is not None and deadline == self.session.registration_deadline
        if deadline is not None:
            if deadline < today and not unchanged:
                errors["registration_deadline"] = [lazy_gettext("The registration deadline is in the past.")]
            elif first is not None and deadline >= first:
                errors["registration_deadline"] = [lazy_gettext("Registrations must close before the first day.")]
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            errors["ends_at"] = [lazy_gettext("The day must end after it starts.")]
        capacity, minimum = data.get("capacity"), data.get("min_participants")
        if capacity is not None and minimum is not None and capacity < minimum:
            errors["capacity"] = [lazy_gettext("The capacity cannot be below the minimum number of participants.")]
        if errors:
            raise ValidationError(errors)


class AttendanceSchema(Schema):
    """Ticked boxes of the attendance grid, each ``<enrolment id>-<day id>``."""

    present = fields.List(fields.String(validate=length(max=40)), load_default=list)

    @pre_load
    def _present_list(self, data, **kwargs):
        return _as_list(data, "present")


class ApprovalSchema(Schema):
    decision = fields.String(required=True, validate=one_of(("approve", "decline")))


class SurveySchema(Schema):
    score = fields.Integer(required=True, validate=between(1, 5))
    comment = fields.String(load_default="", validate=length(max=2000))
