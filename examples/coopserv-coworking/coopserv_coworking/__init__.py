"""Coworking desks booked by the day: hook implementations only (see coopserv/hookspecs.py).

An example made with `coopserv plugin new coworking`, then given one rule of its
own (a desk is booked once a day), to show that a plugin needs no change to the core.
"""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, format_payload_day, hookimpl

__version__ = "0.1.0"
SERVICE_KEY = "coworking"
HERE = os.path.dirname(os.path.abspath(__file__))

STATES = {
    "requested": _l("Requested"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
TRANSITIONS = (
    Transition("confirm", _l("Confirm"), ("requested",), "confirmed", email=True),
    Transition("decline", _l("Decline"), ("requested",), "declined"),
    Transition("cancel", _l("Cancel"), ("requested", "confirmed"), "cancelled", by=("requester",)),
)


def _form_context(module):
    from .services import active_resources

    return {"resources": active_resources()}


def _detail_context(request):
    from .services import booking_for_request

    return {"booking": booking_for_request(request.id)}


def _summary(payload):
    return format_payload_day(payload.get("day"))


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .api import blp
    from .indicators import INDICATORS
    from .schemas import CoworkingConfigSchema, CoworkingRequestSchema
    from .views import bp

    return [ServiceType(
        key=SERVICE_KEY,
        label=_l("Coworking desks"),
        description=_l("Book a desk in the territory's coworking space for a day."),
        category="other",
        request_schema=CoworkingRequestSchema,
        config_schema=CoworkingConfigSchema,
        states=STATES,
        initial_state="requested",
        transitions=TRANSITIONS,
        icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
        request_form_template="coworking/_request_fields.html",
        request_form_context=_form_context,
        prerequisites=_prerequisites,
        request_detail_template="coworking/_request_detail.html",
        request_detail_context=_detail_context,
        operator_endpoint="coworking.manage",
        summarize=_summary,
        blueprints=(bp,),
        migrations=os.path.join(HERE, "migrations", "versions"),
        translations=os.path.join(HERE, "translations"),
        indicators=tuple(INDICATORS),
        api_blueprints=(blp,),
        personal_data=tuple(_personal_data()),
    )]


def _personal_data():
    """Where the plugin keeps data about a person (export and erasure)."""
    from .models import Booking

    return [PersonalData(Booking, "user_id", ("request_id", "day", "notes"), erase="anonymise",
                         anonymised_values={"notes": ""}, scrub=("notes",), label="coworking_bookings")]


@hookimpl
def request_submitted(request, payload):
    from .services import store_booking

    store_booking(request, payload)


@hookimpl
def request_status_changed(request, change):
    if change.to_status not in ("declined", "cancelled"):
        return
    from .services import release_booking

    release_booking(request.id)


@hookimpl
def module_stopped(module, requests, reason):
    """A stopped space books no desk: every booking of the closed requests frees its day."""
    from .services import release_bookings

    release_bookings([request.id for request in requests])
