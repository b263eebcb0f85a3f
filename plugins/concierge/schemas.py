"""Concierge input schemas: the order (request), the module config, catalogue administration."""
from datetime import timedelta

from flask_babel import format_date
from marshmallow import ValidationError, fields, pre_load, validates_schema
from sqlalchemy import select

from coopserv.plugin_api import (
    Schema,
    _l,
    at_least,
    between,
    db,
    lazy_gettext,
    length,
    local_today,
    one_of,
)

from .models import PROVIDER_CATEGORIES, CatalogItem, PickupPoint, PickupSlot


class ConciergeConfigSchema(Schema):
    """How a territory runs its concierge."""

    min_days_ahead = fields.Integer(load_default=1, validate=between(0, 14),
                                    metadata={"label": _l("Minimum days between order and drop-off")})
    max_days_ahead = fields.Integer(load_default=30, validate=between(1, 90),
                                    metadata={"label": _l("How far ahead employees may book (days)")})
    max_items_per_order = fields.Integer(load_default=10, validate=between(1, 50),
                                         metadata={"label": _l("Maximum items per order")})
    allow_notes = fields.Boolean(load_default=True, metadata={"label": _l("Employees may add notes")})
    welcome_text = fields.String(load_default="", validate=length(max=500),
                                 metadata={"label": _l("Welcome text shown above the order form")})

    @validates_schema
    def _window(self, data, **kwargs):
        if data.get("min_days_ahead", 0) >= data.get("max_days_ahead", 30):
            raise ValidationError(lazy_gettext("Must be more than the minimum days ahead."), "max_days_ahead")


class OrderLineSchema(Schema):
    item_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True, validate=between(1, 20))


class OrderSchema(Schema):
    """An employee's order; form fields ``items.<id>`` carry quantities, JSON sends ``items``."""

    items = fields.List(fields.Nested(OrderLineSchema), required=True)
    slot_id = fields.Integer(required=True)
    dropoff_date = fields.Date(required=True)
    notes = fields.String(load_default="", validate=length(max=1000))

    @pre_load
    def _quantities_from_form(self, data, **kwargs):
        """Turn ``items.<id>=<qty>`` form fields into the ``items`` list (zero or empty means none)."""
        if "items" in data or not hasattr(data, "items"):
            return data
        lines = []
        rest = {}
        for key, value in data.items():
            if key.startswith("items."):
                if str(value).strip() in ("", "0"):
                    continue
                lines.append({"item_id": key.split(".", 1)[1], "quantity": value})
            else:
                rest[key] = value
        if lines:
            rest["items"] = lines
        return rest

    @validates_schema(skip_on_field_errors=False)
    def _check_against_catalogue(self, data, **kwargs):
        module = getattr(self, "module", None)
        config = ConciergeConfigSchema().load(module.config if module else {})
        errors = {}
        lines = data.get("items") or []
        complete = all("item_id" in line and "quantity" in line for line in lines)
        if not lines and "items" in data:
            errors["items"] = [lazy_gettext("Choose at least one service.")]
        if lines and complete:
            ids = {line["item_id"] for line in lines}
            known = set(db.session.scalars(select(CatalogItem.id).where(CatalogItem.id.in_(ids),
                                                                        CatalogItem.active.is_(True))))
            if ids - known:
                errors["items"] = [lazy_gettext("One of the chosen services is not offered any more.")]
            elif sum(line["quantity"] for line in lines) > config["max_items_per_order"]:
                errors["items"] = [lazy_gettext("At most %(n)s items per order.") % {"n": config["max_items_per_order"]}]
            elif len(ids) != len(lines):
                errors["items"] = [lazy_gettext("Each service appears once; change its quantity instead.")]
        slot = None
        if data.get("slot_id") is not None:
            slot = db.session.scalar(
                select(PickupSlot).join(PickupPoint)
                .where(PickupSlot.id == data["slot_id"], PickupPoint.active.is_(True))
            )
            if slot is None:
                errors["slot_id"] = [lazy_gettext("Choose one of the proposed slots.")]
        day = data.get("dropoff_date")
        if day is not None:
            today = local_today()
            earliest = today + timedelta(days=config["min_days_ahead"])
            latest = today + timedelta(days=config["max_days_ahead"])
            if day < earliest:
                errors["dropoff_date"] = [lazy_gettext("Choose a date from %(date)s on.") % {"date": format_date(earliest)}]
            elif day > latest:
                errors["dropoff_date"] = [lazy_gettext("Choose a date until %(date)s.") % {"date": format_date(latest)}]
            elif slot is not None and day.weekday() != slot.weekday:
                errors["dropoff_date"] = [lazy_gettext("The pickup point is not open on that day for this slot.")]
        if data.get("notes") and not config["allow_notes"]:
            errors["notes"] = [lazy_gettext("Notes are not accepted by this concierge.")]
        if errors:
            raise ValidationError(errors)


class ProviderSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=160))
    category = fields.String(load_default="other", validate=one_of(PROVIDER_CATEGORIES))
    description = fields.String(load_default="", validate=length(max=1000))
    contact = fields.String(load_default="", validate=length(max=200))


class CatalogItemSchema(Schema):
    provider_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=length(min=2, max=160))
    price = fields.Decimal(required=True, places=2, validate=at_least(0))
    unit = fields.String(load_default="", validate=length(max=40))
    lead_time_days = fields.Integer(load_default=2, validate=between(0, 30))


class PickupPointSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=160))
    address = fields.String(load_default="", validate=length(max=300))
    business_park = fields.String(load_default="", validate=length(max=120))


class PickupSlotSchema(Schema):
    pickup_point_id = fields.Integer(required=True)
    weekday = fields.Integer(required=True, validate=between(0, 6))
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(lazy_gettext("The slot must end after it starts."), "ends_at")
