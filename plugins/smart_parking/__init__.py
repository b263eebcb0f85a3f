"""Smart parking (stationnement intelligent): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_KEY = "smart_parking"

#: Labels say "reservation" or "spot": the catalogs of all plugins are merged, so a bare
#: "Cancelled" would share its translation (and grammatical gender) with other plugins'.
STATES = {
    "confirmed": _l("Spot reserved"),
    "honoured": _l("Driver arrived"),
    "released": _l("Released (no-show)"),
    "cancelled": _l("Reservation cancelled"),
}
TRANSITIONS = (
    Transition("check_in", _l("I have arrived"), ("confirmed",), "honoured", by=("operator", "requester")),
    Transition("release", _l("Release the spot (no-show)"), ("confirmed",), "released", email=True),
    Transition("cancel", _l("Cancel the reservation"), ("confirmed",), "cancelled", by=("operator", "requester")),
)


def _summary(payload):
    from datetime import datetime

    from coopserv.plugin_api import format_clock, format_when_short, gettext

    try:
        start = datetime.fromisoformat(payload["starts_at"])
        end = datetime.fromisoformat(payload["ends_at"])
    except (KeyError, TypeError, ValueError):
        return payload.get("lot_name", "")
    return gettext("%(lot)s, %(start)s to %(end)s", lot=payload.get("lot_name", ""),
                   start=format_when_short(start), end=format_clock(end))


def _form_context(module):
    from .labels import CATEGORY_LABELS, translated
    from .schemas import smart_parking_config
    from .services import reservable_lots

    return {"lots": reservable_lots(), "category_labels": translated(CATEGORY_LABELS),
            "parking_config": smart_parking_config(module)}


def _detail_context(request):
    from .labels import CATEGORY_LABELS, translated
    from .services import reservation_for_request

    return {"reservation": reservation_for_request(request.id), "category_labels": translated(CATEGORY_LABELS)}


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .commands import parking_group
    from .indicators import INDICATORS
    from .occupancy import ROLLUP
    from .interop_views import bp as interop_bp
    from .interop_views import ngsi_ld_bp
    from .schemas import ReservationSchema, SmartParkingConfigSchema
    from .views import bp

    return [
        ServiceType(
            key=SERVICE_KEY,
            label=_l("Smart parking"),
            description=_l("See free spots in real time at the car parks of the business park and reserve "
                           "a spot for a time window."),
            category="mobility",
            request_schema=ReservationSchema,
            config_schema=SmartParkingConfigSchema,
            states=STATES,
            initial_state="confirmed",
            transitions=TRANSITIONS,
            icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
            request_form_template="smart_parking/_reservation_fields.html",
            request_form_context=_form_context,
            prerequisites=_prerequisites,
            request_detail_template="smart_parking/_reservation_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="smart_parking.manage",
            summarize=_summary,
            blueprints=(bp, interop_bp, ngsi_ld_bp),
            migrations=os.path.join(HERE, "migrations", "versions"),
            translations=os.path.join(HERE, "translations"),
            indicators=tuple(INDICATORS),
            rollups=(ROLLUP,),
            commands=(parking_group,),
            personal_data=tuple(_personal_data()),
        )
    ]


def _personal_data():
    """Where the plugin keeps data about a person (export and erasure)."""
    from .models import Reservation

    return [PersonalData(Reservation, "user_id", ("request_id", "lot_id", "spot_id", "starts_at", "ends_at",
                                                  "checked_in_at", "carpool_crew_label"),
                         erase="anonymise", anonymised_values={"carpool_crew_label": ""},
                         label="smart_parking_reservations")]


@hookimpl
def request_submitted(request, payload):
    from .services import store_reservation

    store_reservation(request, payload)


@hookimpl
def request_status_changed(request, change):
    from .services import reservation_status_changed

    reservation_status_changed(request, change)


@hookimpl
def tick(territory, now):
    from coopserv.plugin_api import get_module

    from .schemas import smart_parking_config
    from .services import tick as run_tick

    module = get_module(SERVICE_KEY)
    if module is None or not module.enabled:
        return
    run_tick(territory, now, smart_parking_config(module))


@hookimpl
def portal_home_panels(territory, user):
    """Link the live availability of the car parks from the portal, for people who may use the service."""
    from .views import home_panel

    return home_panel(user)


@hookimpl
def open_data_links(territory):
    from .interop_views import open_data_links as links

    return links()


@hookimpl
def seed_demo_module(module, organizations, users):
    from .demo import seed

    seed(module, organizations, users)


@hookimpl
def module_stopped(module, requests, reason):
    """Reservations no longer hold their spots."""
    from .services import release_on_stop

    release_on_stop(requests)


@hookimpl
def calendar_events(territory, user, since):
    from .calendar import calendar_events as entries

    return entries(territory, user, since)
