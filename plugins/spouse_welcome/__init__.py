"""Spouse welcome (accueil des conjoints): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_KEY = "spouse_welcome"

STATES = {
    "opened": _l("Opened"),
    "in_progress": _l("Under way"),
    "settled": _l("Settled"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
TRANSITIONS = (
    Transition("start", _l("Start the welcome"), ("opened",), "in_progress", email=True),
    Transition("settle", _l("Family settled"), ("in_progress",), "settled"),
    Transition("close", _l("Close the case"), ("opened", "in_progress"), "closed"),
    Transition("cancel", _l("Cancel my request"), ("opened",), "cancelled", by=("requester",)),
)


def _summary(payload):
    from coopserv.plugin_api import format_payload_day, gettext

    if not payload:
        return ""  # anonymised
    return gettext("%(name)s, %(profession)s, arriving on %(date)s", name=payload.get("partner_first_name", ""),
                   profession=payload.get("profession", ""), date=format_payload_day(payload.get("arrival_date")))


def _detail_context(request):
    from .services import case_for_request

    return {"case": case_for_request(request.id)}


def _form_context(module):
    from .services import employer_choices, module_config

    sectors = sorted({org.sector for org in employer_choices() if org.sector})
    return {"welcome_config": module_config(module), "known_sectors": sectors}


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .indicators import INDICATORS
    from .schemas import CaseSchema, SpouseWelcomeConfigSchema
    from .views import bp

    return [
        ServiceType(
            key=SERVICE_KEY,
            label=_l("Spouse welcome"),
            description=_l("Moving here for a new job? A welcome referent helps your partner find work and your "
                           "family find a home, a school and a place in local life."),
            category="welcoming",
            request_schema=CaseSchema,
            config_schema=SpouseWelcomeConfigSchema,
            states=STATES,
            initial_state="opened",
            transitions=TRANSITIONS,
            icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
            request_form_template="spouse_welcome/_case_fields.html",
            request_form_context=_form_context,
            prerequisites=_prerequisites,
            request_detail_template="spouse_welcome/_case_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="spouse_welcome.cases",
            summarize=_summary,
            blueprints=(bp,),
            migrations=os.path.join(HERE, "migrations", "versions"),
            translations=os.path.join(HERE, "translations"),
            indicators=tuple(INDICATORS),
            personal_data=tuple(_personal_data()),
            # What a family tells its welcome referent stays between them (the referent page promises it).
            confidential=True,
        )
    ]


def _personal_data():
    """Where the plugin keeps data about a person (export and erasure)."""
    from sqlalchemy import select

    from .models import Case, FollowUp, Introduction
    from .services import ANONYMISED_CASE_VALUES

    def about_the_family(model):
        return lambda user_id: model.case_id.in_(select(Case.id).where(Case.requester_id == user_id))

    texts = ("partner_first_name", "profession", "skills", "languages", "sectors", "housing_needs")
    return [
        # The welcome team's notes about the family go with the family (found through the case).
        PersonalData(FollowUp, "recorded_by_id", ("case_id", "notes", "recorded_at"), erase="anonymise",
                     scrub=("notes",), related=about_the_family(FollowUp), label="spouse_welcome_follow_ups", confidential=True),
        PersonalData(Introduction, "sent_by_id", ("case_id", "organization_id", "outcome", "notes"),
                     erase="anonymise", scrub=("notes",), related=about_the_family(Introduction),
                     label="spouse_welcome_introductions", confidential=True),
        PersonalData(Case, "requester_id", ("request_id", "partner_first_name", "profession", "skills", "languages",
                                            "sectors", "housing_needs", "children_ages", "arrival_date",
                                            "created_at", "closed_at"),
                     erase="anonymise", anonymised_values={**ANONYMISED_CASE_VALUES, "sectors": []}, scrub=texts,
                     label="spouse_welcome_cases", confidential=True),
        # People who worked on a case (an HR referent, a welcome referent) are detached from it.
        PersonalData(Case, "opened_by_id", ("request_id", "created_at"), erase="anonymise",
                     label="spouse_welcome_cases_opened"),
        PersonalData(Case, "referent_id", ("request_id", "created_at"), erase="anonymise",
                     label="spouse_welcome_cases_followed"),
        PersonalData(FollowUp, "recorded_by_id", ("case_id", "recorded_at"), erase="anonymise",
                     label="spouse_welcome_follow_ups_recorded"),
        PersonalData(Introduction, "sent_by_id", ("case_id", "sent_at"), erase="anonymise",
                     label="spouse_welcome_introductions_sent"),
    ]


@hookimpl
def request_submitted(request, payload):
    from .services import store_case

    store_case(request, payload)


@hookimpl
def request_status_changed(request, change):
    from .services import mark_status

    mark_status(request, change)


@hookimpl
def tick(territory, now):
    from coopserv.plugin_api import get_module

    from .services import anonymise_expired_cases

    module = get_module(SERVICE_KEY)
    if module is not None:
        anonymise_expired_cases(module, now)


@hookimpl
def portal_home_panels(territory, user):
    if user is None:
        return []
    from .views import home_panel

    panel = home_panel()
    return [panel] if panel is not None else []


@hookimpl
def seed_demo_module(module, organizations, users):
    from .demo import seed

    seed(module, organizations, users)


@hookimpl
def module_stopped(module, requests, reason):
    """Cases of the stopped service close now (their retention clock starts)."""
    from .services import close_cases_on_stop

    close_cases_on_stop(requests)
