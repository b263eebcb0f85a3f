"""Inter-company concierge (conciergerie inter-entreprises): hook implementations only."""
import os

from coopserv.plugin_api import PersonalData, ServiceType, Transition, _l, hookimpl

__version__ = "0.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_KEY = "concierge"

STATES = {
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "ready": _l("Ready"),
    "delivered": _l("Delivered"),
    "rejected": _l("Rejected"),
    "cancelled": _l("Cancelled"),
}
TRANSITIONS = (
    Transition("accept", _l("Accept"), ("submitted",), "accepted"),
    Transition("start", _l("Start"), ("accepted",), "in_progress"),
    Transition("mark_ready", _l("Mark ready"), ("in_progress",), "ready", email=True),
    Transition("deliver", _l("Hand over"), ("ready",), "delivered"),
    Transition("reject", _l("Reject"), ("submitted", "accepted"), "rejected", email=True),
    Transition("cancel", _l("Cancel my order"), ("submitted",), "cancelled", by=("requester",)),
)


def _summary(payload):
    from coopserv.plugin_api import format_payload_day, ngettext

    count = sum(line.get("quantity", 0) for line in payload.get("items", []))
    day = format_payload_day(payload.get("dropoff_date", ""))
    return ngettext("%(num)d item, drop-off on %(date)s", "%(num)d items, drop-off on %(date)s", count, date=day)


def _detail_context(request):
    from .services import order_for_request

    return {"order": order_for_request(request.id)}


def _form_context(module):
    from . import services
    from .schemas import ConciergeConfigSchema

    config = ConciergeConfigSchema().load(module.config or {})
    slots = services.active_slots()
    first_day = services.today()
    from datetime import timedelta

    first_day += timedelta(days=config["min_days_ahead"])
    return {
        "catalogue": services.active_catalogue(),
        "slots": slots,
        "slot_dates": {slot.id: services.next_dates(slot, first_day) for slot in slots},
        "concierge_config": config,
    }


def _prerequisites(module):
    from .prerequisites import prerequisites

    return prerequisites(module)


@hookimpl
def register_service_types():
    from .indicators import INDICATORS
    from .round_cells import ROLLUP
    from .schemas import ConciergeConfigSchema, OrderSchema
    from .views import bp

    return [
        ServiceType(
            key=SERVICE_KEY,
            label=_l("Inter-company concierge"),
            description=_l("Pressing, alterations, shoe repair, car wash, local produce baskets, parcels: "
                           "drop off and collect at your business park."),
            category="quality_of_life",
            request_schema=OrderSchema,
            config_schema=ConciergeConfigSchema,
            states=STATES,
            initial_state="submitted",
            transitions=TRANSITIONS,
            icon=os.path.join(os.path.dirname(__file__), "static", "icon.svg"),
            request_form_template="concierge/_order_fields.html",
            request_form_context=_form_context,
            prerequisites=_prerequisites,
            request_detail_template="concierge/_order_detail.html",
            request_detail_context=_detail_context,
            operator_endpoint="concierge.manage",
            summarize=_summary,
            blueprints=(bp,),
            migrations=os.path.join(HERE, "migrations", "versions"),
            translations=os.path.join(HERE, "translations"),
            indicators=tuple(INDICATORS),
            rollups=(ROLLUP,),
            personal_data=tuple(_personal_data()),
        )
    ]


def _personal_data():
    """Where the plugin keeps data about a person (export and erasure)."""
    from .models import Order

    return [PersonalData(Order, "requester_id", ("request_id", "dropoff_date", "notes", "total_cents"),
                         erase="anonymise", anonymised_values={"notes": ""}, scrub=("notes",),
                         label="concierge_orders")]


@hookimpl
def request_submitted(request, payload):
    from .services import store_order

    store_order(request, payload)


@hookimpl
def module_stage_changed(module, old_stage, new_stage):
    """A stopped concierge collects nothing more: orders not started are rejected, their requesters told."""
    if new_stage == "stopped":
        from .services import reject_orders_not_started

        reject_orders_not_started(module)


@hookimpl
def seed_demo_module(module, organizations, users):
    from .demo import seed

    seed(module, organizations, users)
