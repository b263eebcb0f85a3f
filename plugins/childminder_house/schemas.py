"""Childminder house input schemas: the place request, the module config, houses, childminders, sponsors."""
from marshmallow import ValidationError, fields, pre_load, validates_schema
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

from .capacity import to_minutes
from .hours import spoken
from .models import House

MAX_AGE_MONTHS = 72
WEEKDAY_NAMES = (lazy_gettext("Monday"), lazy_gettext("Tuesday"), lazy_gettext("Wednesday"),
                 lazy_gettext("Thursday"), lazy_gettext("Friday"), lazy_gettext("Saturday"), lazy_gettext("Sunday"))
CRITERIA = ("sponsored", "sibling", "request_date")
CRITERIA_LABELS = (lazy_gettext("Employees of a sponsoring company first"),
                   lazy_gettext("Siblings of a child already in the house first"),
                   lazy_gettext("Earliest request first"))
NO_CRITERION = "none"


class ChildminderHouseConfigSchema(Schema):
    """How a territory runs its childminder house: the waiting-list rule and the offer deadline."""

    offer_days = fields.Integer(load_default=7, validate=between(1, 30),
                                metadata={"label": _l("Days a family has to accept an offered place")})
    first_criterion = fields.String(load_default="sponsored", validate=one_of(CRITERIA, CRITERIA_LABELS),
                                    metadata={"label": _l("Waiting list: first criterion")})
    second_criterion = fields.String(
        load_default="sibling", validate=one_of(CRITERIA + (NO_CRITERION,), CRITERIA_LABELS + (lazy_gettext("None"),)),
        metadata={"label": _l("Waiting list: second criterion")})
    third_criterion = fields.String(
        load_default="request_date",
        validate=one_of(CRITERIA + (NO_CRITERION,), CRITERIA_LABELS + (lazy_gettext("None"),)),
        metadata={"label": _l("Waiting list: third criterion"),
                  "help": _l("Requests equal on every criterion keep the order in which they were made.")})

    @validates_schema(skip_on_field_errors=False)
    def _each_criterion_once(self, data, **kwargs):
        seen = set()
        for name in ("first_criterion", "second_criterion", "third_criterion"):
            value = data.get(name)
            if value in seen and value != NO_CRITERION:
                raise ValidationError(lazy_gettext("Each criterion may be used once."), name)
            seen.add(value)


def rule_of(config):
    """The waiting-list criteria in order, from a loaded config."""
    return [config[name] for name in ("first_criterion", "second_criterion", "third_criterion")
            if config.get(name) not in (None, NO_CRITERION)]


class SlotSchema(Schema):
    weekday = fields.Integer(required=True, validate=between(0, 6))
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)


def _week_from_form(data, prefix="day"):
    """Turn ``day<N>_start``/``day<N>_end`` form fields into a ``slots`` list (both empty: not that day)."""
    if "slots" in data or not hasattr(data, "items"):
        return data
    slots, rest = [], {}
    for key, value in data.items():
        if not key.startswith(prefix) or not key.endswith(("_start", "_end")):
            rest[key] = value
    for weekday in range(7):
        starts, ends = data.get(f"{prefix}{weekday}_start", ""), data.get(f"{prefix}{weekday}_end", "")
        if starts or ends:
            slots.append({"weekday": weekday, "starts_at": starts, "ends_at": ends})
    if slots:
        rest["slots"] = slots
    return rest


def _months_between(born, day):
    return (day.year - born.year) * 12 + day.month - born.month - (1 if day.day < born.day else 0)


def active_houses():
    return db.session.scalars(select(House).where(House.active.is_(True)).order_by(House.name)).all()


class PlaceRequestSchema(Schema):
    """A family's request: the child, the days and hours needed, from when (and until when)."""

    house_id = fields.Integer()
    child_first_name = fields.String(required=True, validate=length(min=1, max=60))
    child_age_months = fields.Integer(validate=between(0, MAX_AGE_MONTHS))
    child_birth_date = fields.Date()
    slots = fields.List(fields.Nested(SlotSchema), required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date()

    @pre_load
    def _slots_from_form(self, data, **kwargs):
        return _week_from_form(data)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data, original_data, **kwargs):
        today = local_today()
        errors = {}
        house = self._house(data, errors)
        born = data.get("child_birth_date")
        if born is not None:
            if born > today:
                errors["child_birth_date"] = [lazy_gettext("The birth date cannot be in the future.")]
            elif _months_between(born, today) > MAX_AGE_MONTHS:
                errors["child_birth_date"] = [lazy_gettext("The house takes children up to %(n)s months old.")
                                              % {"n": MAX_AGE_MONTHS}]
        elif original_data.get("child_age_months") in (None, ""):
            errors["child_age_months"] = [lazy_gettext("Give the child's age in months or birth date.")]
        start = data.get("start_date")
        if start is not None and start < today:
            errors["start_date"] = [lazy_gettext("The start date cannot be in the past.")]
        if start is not None and data.get("end_date") is not None and data["end_date"] <= start:
            errors["end_date"] = [lazy_gettext("The end date must be after the start date.")]
        slot_errors = check_week(data.get("slots"), house) if "slots" in data else []
        if "slots" in data and not data["slots"]:
            slot_errors = [lazy_gettext("Give the hours for at least one day.")]
        if slot_errors:
            errors["slots"] = slot_errors
        if errors:
            raise ValidationError(errors)

    def _house(self, data, errors):
        houses = active_houses()
        if "house_id" not in data and len(houses) == 1:
            data["house_id"] = houses[0].id
        house = next((h for h in houses if h.id == data.get("house_id")), None)
        if house is None:
            errors["house_id"] = [lazy_gettext("Choose one of the houses.")]
        return house


def check_week(slots, house):
    """Messages for slots that are malformed, doubled, or outside the house's opening days and hours."""
    messages = []
    seen = set()
    for slot in slots or []:
        if not all(key in slot for key in ("weekday", "starts_at", "ends_at")):
            continue
        day = WEEKDAY_NAMES[slot["weekday"]]
        starts, ends = to_minutes(slot["starts_at"]), to_minutes(slot["ends_at"])
        if slot["weekday"] in seen:
            messages.append(lazy_gettext("%(day)s is given twice.") % {"day": day})
        seen.add(slot["weekday"])
        if ends <= starts:
            messages.append(lazy_gettext("%(day)s: the end time must be after the start time.") % {"day": day})
        elif house is not None and slot["weekday"] not in house.weekdays:
            messages.append(lazy_gettext("%(day)s: the house is closed that day.") % {"day": day})
        elif house is not None and (starts < house.opens_at or ends > house.closes_at):
            messages.append(lazy_gettext("%(day)s: the house is open from %(opens)s to %(closes)s.")
                            % {"day": day, "opens": spoken(house.opens_at), "closes": spoken(house.closes_at)})
    return messages


class HouseSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=160))
    address = fields.String(load_default="", validate=length(max=300))
    opening_days = fields.List(fields.Integer(validate=between(0, 6)), required=True)
    opens_at = fields.Time(required=True)
    closes_at = fields.Time(required=True)

    @validates_schema
    def _hours(self, data, **kwargs):
        if "opening_days" in data and not data["opening_days"]:
            raise ValidationError(lazy_gettext("Choose at least one day."), "opening_days")
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            raise ValidationError(lazy_gettext("The house must close after it opens."), "closes_at")


class ChildminderSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=120))
    max_children = fields.Integer(load_default=4, validate=between(1, 6))
    days = fields.List(fields.Integer(validate=between(0, 6)), required=True)
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)

    @validates_schema
    def _hours(self, data, **kwargs):
        if "days" in data and not data["days"]:
            raise ValidationError(lazy_gettext("Choose at least one day."), "days")
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(lazy_gettext("She must leave after she arrives."), "ends_at")


class SponsorshipSchema(Schema):
    organization_id = fields.Integer(required=True)
    places = fields.Integer(required=True, validate=between(0, 50))


class OccupancyDateSchema(Schema):
    on = fields.Date(load_default=lambda: local_today())


def days_string(weekdays):
    """Store weekdays as sorted digits ("01234")."""
    return "".join(str(day) for day in sorted(set(weekdays)))

