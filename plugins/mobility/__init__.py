"""Carpooling and alternative mobility in business parks (covoiturage): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_KEY = "mobility"

STATES = {
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
}
TRANSITIONS = (
    Transition("withdraw", _l("Withdraw my commute"), ("published",), "withdrawn", by=("requester",)),
    Transition("close", _l("Close"), ("published",), "closed"),
)


def _summary(payload):
    from coopserv.plugin_api import gettext

    if payload.get("kind") == "offer":
        return gettext("Offers %(seats)s seat(s), leaves at %(time)s", seats=payload.get("seats", ""),
                       time=str(payload.get("departure_time", ""))[:5])
    return gettext("Looks for %(seats)s seat(s), leaves at %(time)s", seats=payload.get("seats", ""),
                   time=str(payload.get("departure_time", ""))[:5])


def _form_context(module):
    """The form's choices, with the defaults the data gives: one's organization's park, an only town."""
    from coopserv.plugin_api import employer

    from . import services

    parks, towns = services.active_parks(), services.list_towns()
    return {"parks": parks, "towns": towns, "mobility_config": services.module_config(module),
            "default_park_id": services.default_park_id(parks, employer()),
            "default_town_id": towns[0].id if len(towns) == 1 else None}


def _detail_context(request):
    from .services import commute_for_request

    return {"commute": commute_for_request(request.id)}


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .indicators import INDICATORS
    from .feeds_views import bp as feeds_bp
    from .schemas import CommuteSchema, MobilityConfigSchema
    from .views import bp

    return [
        ServiceType(
            key=SERVICE_KEY,
            label=_l("Carpooling and alternative mobility"),
            description=_l("Share the drive to your business park with colleagues from nearby towns, "
                           "or book the shuttle or a bike when the territory offers them."),
            category="mobility",
            request_schema=CommuteSchema,
            config_schema=MobilityConfigSchema,
            states=STATES,
            initial_state="published",
            transitions=TRANSITIONS,
            icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
            request_form_template="mobility/_commute_fields.html",
            request_form_context=_form_context,
            prerequisites=_prerequisites,
            request_detail_template="mobility/_commute_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="mobility.manage",
            summarize=_summary,
            blueprints=(bp, feeds_bp),
            migrations=os.path.join(HERE, "migrations", "versions"),
            translations=os.path.join(HERE, "translations"),
            indicators=tuple(INDICATORS),
            personal_data=tuple(_personal_data()),
        )
    ]


def _personal_data():
    """Where the plugin keeps data about a person (export and erasure)."""
    from sqlalchemy import select

    from .models import BikeBooking, Commute, Crew, CrewMember, ShuttleBooking

    return [
        # A driver's crew is labelled after their home town: the label goes with the driver.
        PersonalData(Crew, "offer_id", ("label", "created_at"), erase="anonymise", scrub=("label",),
                     related=lambda user_id: Crew.offer_id.in_(select(Commute.id).where(Commute.user_id == user_id)),
                     label="mobility_crews_driven"),
        PersonalData(Commute, "user_id", ("kind", "town_name", "home_latitude", "home_longitude", "weekdays",
                                          "departure_time", "return_time", "seats", "active"),
                     erase="delete", scrub=("town_name",), label="mobility_commutes"),
        PersonalData(CrewMember, "user_id", ("crew_id", "role", "weekdays", "trip_km", "active"),
                     erase="anonymise", anonymised_values={"active": False}, label="mobility_crews"),
        PersonalData(ShuttleBooking, "user_id", ("run_id", "seats", "created_at"), erase="anonymise",
                     label="mobility_shuttle_bookings"),
        PersonalData(BikeBooking, "user_id", ("pool_id", "starts_at", "ends_at"), erase="anonymise",
                     label="mobility_bike_bookings"),
    ]


@hookimpl
def request_submitted(request, payload):
    from .services import store_commute

    store_commute(request, payload)


@hookimpl
def request_status_changed(request, change):
    if change.to_status not in ("withdrawn", "closed"):
        return
    from .services import end_commute

    end_commute(request)


@hookimpl
def carpool_crew_for(user, day):
    from coopserv.plugin_api import get_module

    from .services import crew_riding

    module = get_module(SERVICE_KEY)
    if module is None or not module.enabled or module.stage == "stopped" or user is None:
        return None
    return crew_riding(user.id, day)


@hookimpl
def mobility_alternatives(business_park):
    from flask import url_for

    from coopserv.plugin_api import get_module

    from .services import alternatives_for

    module = get_module(SERVICE_KEY)
    if module is None or not module.enabled or module.stage == "stopped":
        return []
    return alternatives_for(business_park, module, url_for)


@hookimpl
def open_data_links(territory):
    from .feeds_views import open_data_links as links

    return links()


@hookimpl
def seed_demo_module(module, organizations, users):
    from .demo import seed

    seed(module, organizations, users)


@hookimpl
def module_stopped(module, requests, reason):
    """Commutes stop matching, crews end, bookings to come are cancelled."""
    from .services import release_on_stop

    release_on_stop(requests)


@hookimpl
def calendar_events(territory, user, since):
    from .calendar import calendar_events as entries

    return entries(territory, user, since)
