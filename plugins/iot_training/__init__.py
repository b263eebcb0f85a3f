"""IoT training (formation objets connectés): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_KEY = "iot_training"

STATES = {
    "submitted": _l("Submitted"),
    "awaiting_approval": _l("Awaiting the referent's approval"),
    "waiting_list": _l("On the waiting list"),
    "enrolled": _l("Enrolled"),
    "declined": _l("Declined by the referent"),
    "withdrawn": _l("Withdrawn"),
    "session_cancelled": _l("Session cancelled"),
    "not_placed": _l("No seat was available"),
    "completed": _l("Completed"),
    "not_completed": _l("Not completed"),
}
#: Moves made by the plugin on its own (placing, promoting, cancelling) use the operator's right;
#: the request hook refuses those that would break a rule (a seat beyond capacity…).
TRANSITIONS = (
    Transition("seat", _l("Give a seat"), ("submitted", "awaiting_approval", "waiting_list"), "enrolled"),
    Transition("queue", _l("Put on the waiting list"), ("submitted", "awaiting_approval"), "waiting_list"),
    Transition("ask_approval", _l("Ask the referent's approval"), ("submitted",), "awaiting_approval"),
    Transition("decline", _l("Decline"), ("awaiting_approval",), "declined"),
    Transition("withdraw", _l("Withdraw my enrolment"), ("awaiting_approval", "waiting_list", "enrolled"), "withdrawn",
               by=("requester",)),
    Transition("cancel_session", _l("Session cancelled"), ("submitted", "awaiting_approval", "waiting_list", "enrolled"),
               "session_cancelled", email=True),
    Transition("release", _l("Close without a seat"), ("submitted", "awaiting_approval", "waiting_list"), "not_placed"),
    Transition("complete", _l("Completed"), ("enrolled",), "completed"),
    Transition("mark_incomplete", _l("Not completed"), ("enrolled",), "not_completed"),
)


def _summary(payload):
    from coopserv.plugin_api import format_payload_day, gettext

    if not payload.get("course_title"):
        return ""
    day = format_payload_day(payload.get("first_day", ""))
    return gettext("%(course)s, from %(date)s", course=payload["course_title"], date=day)


def _detail_context(request):
    from . import services

    enrolment = services.enrolment_for_request(request.id)
    if enrolment is None:
        return {"enrolment": None}
    threshold = services.module_config(request.module)["completion_threshold"]
    return {
        "enrolment": enrolment,
        "position": services.waiting_position(enrolment) if request.status == "waiting_list" else None,
        "certificate": services.certificate_eligible(enrolment, threshold),
        "survey_open": services.may_answer_survey(enrolment),
    }


def _form_context(module):
    from . import services

    sessions = services.open_sessions()
    return {"sessions": sessions, "seats": services.seat_index([s.id for s in sessions]),
            "iot_config": services.module_config(module)}


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .indicators import INDICATORS
    from .schemas import EnrolmentSchema, IotTrainingConfigSchema
    from .views import bp

    return [
        ServiceType(
            key=SERVICE_KEY,
            label=_l("Connected objects (IoT) training"),
            description=_l("Courses on sensors, networks and connected maintenance, designed with the companies "
                           "of the territory: enrol in a session, with your referent's approval when required."),
            category="skills",
            request_schema=EnrolmentSchema,
            config_schema=IotTrainingConfigSchema,
            states=STATES,
            initial_state="submitted",
            transitions=TRANSITIONS,
            icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
            request_form_template="iot_training/_enrolment_fields.html",
            request_form_context=_form_context,
            prerequisites=_prerequisites,
            request_detail_template="iot_training/_enrolment_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="iot_training.manage",
            summarize=_summary,
            blueprints=(bp,),
            migrations=os.path.join(HERE, "migrations", "versions"),
            translations=os.path.join(HERE, "translations"),
            indicators=tuple(INDICATORS),
            personal_data=tuple(_personal_data()),
        )
    ]


def _personal_data():
    """Where the plugin keeps data about a person (export and erasure)."""
    from .models import Attendance, Enrolment, SkillNeed, SurveyAnswer

    return [
        PersonalData(Enrolment, "user_id", ("request_id", "session_id", "motivation", "queued_at", "created_at"),
                     erase="anonymise", anonymised_values={"motivation": ""}, scrub=("motivation",),
                     label="iot_training_enrolments"),
        PersonalData(Attendance, "user_id", ("enrolment_id", "day_id", "recorded_at"), erase="anonymise",
                     label="iot_training_attendance"),
        PersonalData(SurveyAnswer, "user_id", ("enrolment_id", "score", "comment", "answered_at"), erase="anonymise",
                     anonymised_values={"comment": ""}, scrub=("comment",), label="iot_training_survey_answers"),
        # The company keeps its declared need (and its head count), without the declarer's words.
        PersonalData(SkillNeed, "declared_by_id", ("organization_id", "title", "description", "created_at"),
                     erase="anonymise", scrub=("title", "description"), label="iot_training_skills_needs_declared"),
    ]


@hookimpl
def request_submitted(request, payload):
    from .services import store_enrolment

    store_enrolment(request, payload)


@hookimpl
def request_status_changed(request, change):
    from .services import request_moved

    request_moved(request, change)


@hookimpl
def tick(territory, now):
    from .services import close_registrations, send_session_reminders

    close_registrations(now)
    send_session_reminders(now)


@hookimpl
def seed_demo_module(module, organizations, users):
    from .demo import seed

    seed(module, organizations, users)


@hookimpl
def module_stopped(module, requests, reason):
    """Sessions still to come are cancelled."""
    from .services import cancel_sessions_on_stop

    cancel_sessions_on_stop()


@hookimpl
def calendar_events(territory, user, since):
    from .calendar import calendar_events as entries

    return entries(territory, user, since)
