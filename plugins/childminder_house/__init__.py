"""Childminder house (maison d'assistantes maternelles, MAM): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_KEY = "childminder_house"

STATES = {
    "submitted": _l("Submitted"),
    "waiting": _l("On the waiting list"),
    "offered": _l("Place offered"),
    "allocated": _l("Place allocated"),
    "declined": _l("Offer declined"),
    "expired": _l("Offer expired"),
    "left": _l("Place ended"),
    "cancelled": _l("Withdrawn"),
    "removed": _l("Removed from the list"),
}
#: "system" moves are made by the plugin itself (allocation, queueing, offers, expiry), never by a click.
TRANSITIONS = (
    Transition("allocate", _l("Allocate the place"), ("submitted",), "allocated", by=("system",), email=True),
    Transition("queue", _l("Put on the waiting list"), ("submitted",), "waiting", by=("system",)),
    Transition("offer", _l("Offer a freed place"), ("waiting",), "offered", by=("system",)),
    Transition("expire", _l("Let the offer expire"), ("offered",), "expired", by=("system",), email=True),
    Transition("finish", _l("End on the planned date"), ("allocated",), "left", by=("system",)),
    Transition("accept_offer", _l("Accept the place"), ("offered",), "allocated", by=("requester",)),
    Transition("decline_offer", _l("Decline the place"), ("offered",), "declined", by=("requester",)),
    Transition("cancel", _l("Withdraw my request"), ("waiting",), "cancelled", by=("requester",)),
    Transition("remove", _l("Remove from the waiting list"), ("waiting",), "removed"),
    Transition("leave", _l("End the place (the child leaves)"), ("allocated",), "left", by=("operator", "requester")),
)


def _summary(payload):
    from coopserv.plugin_api import format_payload_day, gettext

    return gettext("%(child)s, from %(date)s", child=payload.get("child_first_name", ""),
                   date=format_payload_day(payload.get("start_date")))


def _detail_context(request):
    from . import services
    from .hours import spoken

    placement = services.placement_for_request(request.id)
    position = None
    if placement is not None and request.status == "waiting":
        entries = services.waiting_list(placement.house)
        position = next((n for n, e in enumerate(entries, 1) if e.request_id == request.id), None)
    return {"placement": placement, "position": position, "clock": spoken}


def _form_context(module):
    from .hours import spoken
    from .schemas import WEEKDAY_NAMES, active_houses

    return {"houses": active_houses(), "weekday_names": WEEKDAY_NAMES, "clock": spoken}


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .indicators import INDICATORS
    from .schemas import ChildminderHouseConfigSchema, PlaceRequestSchema
    from .views import bp

    return [
        ServiceType(
            key=SERVICE_KEY,
            label=_l("Childminder house"),
            description=_l("Childcare places in a maison d'assistantes maternelles that companies help fund, "
                           "for their employees' children from birth to six."),
            category="family",
            request_schema=PlaceRequestSchema,
            config_schema=ChildminderHouseConfigSchema,
            states=STATES,
            initial_state="submitted",
            transitions=TRANSITIONS,
            icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
            request_form_template="childminder_house/_request_fields.html",
            request_form_context=_form_context,
            prerequisites=_prerequisites,
            request_detail_template="childminder_house/_request_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="childminder_house.manage",
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
    from .models import Placement

    return [PersonalData(Placement, "requester_id",
                         ("request_id", "house_id", "child_first_name", "child_birth_date", "child_age_months",
                          "start_date", "end_date", "requested_at", "allocated_at", "ended_at"),
                         erase="anonymise", anonymised_values={"child_first_name": "", "child_birth_date": None},
                         scrub=("child_first_name",), label="childminder_house_placements")]


@hookimpl
def request_submitted(request, payload):
    from .services import store_placement

    store_placement(request, payload)


@hookimpl
def request_status_changed(request, change):
    from .services import request_changed

    request_changed(request, change)


@hookimpl
def tick(territory, now):
    from .services import run_due_work

    run_due_work(now)


@hookimpl
def seed_demo_module(module, organizations, users):
    from .demo import seed

    seed(module, organizations, users)


@hookimpl
def module_stopped(module, requests, reason):
    """Places and offers of the stopped service are given up."""
    from .services import release_on_stop

    release_on_stop(requests)


@hookimpl
def calendar_events(territory, user, since):
    from .calendar import calendar_events as entries

    return entries(territory, user, since)
