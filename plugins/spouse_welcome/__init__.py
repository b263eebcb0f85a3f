"""Spouse welcome (accueil des conjoints): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
SERVICE_KEY = "spouse_welcome"

STATES = {
    "opened": _l("Opened"),
    "in_progress": _l("Under way"),
    "settled": _l("Settled"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
TRANSITIONS = (
    Transition("start", _l("Start the welcome"), ("opened",), "in_progress"),
    Transition("settle", _l("Family settled"), ("in_progress",), "settled"),
    Transition("close", _l("Close the case"), ("opened", "in_progress"), "closed"),
    Transition("cancel", _l("Cancel my request"), ("opened",), "cancelled", by=("requester",)),
)


def _summary(payload):
    from coopserv.plugin_api import gettext

    if not payload:
        return ""  # anonymised
    return gettext("%(name)s, %(profession)s, arriving on %(date)s", name=payload.get("partner_first_name", ""),
                   profession=payload.get("profession", ""), date=payload.get("arrival_date", ""))


def _detail_context(request):
    from .services import case_for_request

    return {"case": case_for_request(request.id)}


def _form_context(module):
    from .services import employer_choices, module_config

    sectors = sorted({org.sector for org in employer_choices() if org.sector})
    return {"welcome_config": module_config(module), "known_sectors": sectors}


@hookimpl
def register_service_types():
    from .schemas import CaseSchema, SpouseWelcomeConfigSchema

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
            request_detail_template="spouse_welcome/_case_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="spouse_welcome.cases",
            summarize=_summary,
        )
    ]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_translation_directories():
    return [os.path.join(os.path.dirname(__file__), "translations")]


@hookimpl
def register_indicators():
    from .indicators import INDICATORS

    return INDICATORS


@hookimpl
def register_personal_data():
    from .models import Case
    from .services import ANONYMISED_CASE_VALUES

    return [PersonalData(Case, "requester_id", ("request_id", "partner_first_name", "profession", "skills", "languages",
                                                "sectors", "housing_needs", "children_ages", "arrival_date",
                                                "created_at", "closed_at"),
                         erase="anonymise", anonymised_values=dict(ANONYMISED_CASE_VALUES),
                         label="spouse_welcome_cases")]


@hookimpl
def request_submitted(request, payload):
    if request.module.service_key != SERVICE_KEY:
        return
    from .services import store_case

    store_case(request, payload)


@hookimpl
def request_status_changed(request, change):
    if request.module.service_key != SERVICE_KEY:
        return
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
    if module.service_key != SERVICE_KEY:
        return
    from .demo import seed

    seed(module, organizations, users)
