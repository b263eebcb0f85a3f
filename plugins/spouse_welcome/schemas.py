"""Spouse welcome input schemas: the case (request), module config, and the coordinator's forms."""
from datetime import timedelta

from marshmallow import ValidationError, fields, post_load, pre_load, validates_schema

from coopserv.plugin_api import (
    Schema,
    _l,
    between,
    lazy_gettext,
    length,
    local_today,
    one_of,
)

from .models import OUTCOMES, STEP_KINDS

MAX_CHILD_AGE = 25
#: How far ahead an arrival may be announced; beyond that the plans are too uncertain to start.
MAX_DAYS_AHEAD = 540


def split_list(value):
    """Accept a list, or a comma/semicolon/newline separated string, and return clean items."""
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value).replace(";", ",").replace("\n", ",").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


class SpouseWelcomeConfigSchema(Schema):
    """How a territory runs its spouse welcome."""

    retention_days = fields.Integer(load_default=730, validate=between(30, 3650),
                                    metadata={"label": _l("Days a closed case is kept before it is anonymised")})
    first_contact_days = fields.Integer(load_default=7, validate=between(1, 60),
                                        metadata={"label": _l("Days to contact a family after its case is opened")})
    welcome_text = fields.String(load_default="", validate=length(max=500),
                                 metadata={"label": _l("Welcome text shown above the form")})


class CaseSchema(Schema):
    """What the family tells the welcome referent; lists may be typed separated by commas."""

    partner_first_name = fields.String(required=True, validate=length(min=1, max=80))
    profession = fields.String(required=True, validate=length(min=2, max=160))
    skills = fields.String(load_default="", validate=length(max=2000))
    languages = fields.List(fields.String(validate=length(max=40)), load_default=list)
    sectors = fields.List(fields.String(validate=length(max=120)), load_default=list)
    housing_needs = fields.String(load_default="", validate=length(max=2000))
    children_ages = fields.List(fields.Raw(), load_default=list)
    arrival_date = fields.Date(required=True)

    @pre_load
    def _lists_from_text(self, data, **kwargs):
        if not hasattr(data, "items"):
            return data
        data = dict(data)
        for name in ("languages", "sectors", "children_ages"):
            if name in data and data[name] is not None:
                data[name] = split_list(data[name])
        return data

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        errors = {}
        day = data.get("arrival_date")
        if day is not None:
            today = local_today()
            if day < today:
                errors["arrival_date"] = [lazy_gettext("The arrival date cannot be in the past.")]
            elif day > today + timedelta(days=MAX_DAYS_AHEAD):
                errors["arrival_date"] = [lazy_gettext("Open the case at most 18 months before the arrival.")]
        ages = []
        for raw in data.get("children_ages") or []:
            try:
                age = int(str(raw).strip())
            except ValueError:
                errors["children_ages"] = [lazy_gettext("Give each child's age in years, separated by commas.")]
                break
            if not 0 <= age <= MAX_CHILD_AGE:
                errors["children_ages"] = [lazy_gettext("A child's age must be between 0 and %(max)s.")
                                           % {"max": MAX_CHILD_AGE}]
                break
            ages.append(age)
        else:
            if len(ages) > 12:
                errors["children_ages"] = [lazy_gettext("At most 12 children.")]
        if len(data.get("sectors") or []) > 10:
            errors["sectors"] = [lazy_gettext("At most 10 sectors.")]
        if len(data.get("languages") or []) > 10:
            errors["languages"] = [lazy_gettext("At most 10 languages.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _ages_as_numbers(self, data, **kwargs):
        data["children_ages"] = [int(str(age).strip()) for age in data.get("children_ages") or []]
        return data


class ReferentCaseSchema(CaseSchema):
    """A case an HR referent opens for one of their company's employees."""

    employee_id = fields.Integer(required=True)


class AssignSchema(Schema):
    referent_id = fields.Integer(required=True)


class StepSchema(Schema):
    label = fields.String(required=True, validate=length(min=2, max=200))
    kind = fields.String(load_default="other", validate=one_of(STEP_KINDS))
    due_date = fields.Date(load_default=None)


class IntroductionSchema(Schema):
    organization_id = fields.Integer(required=True)
    notes = fields.String(load_default="", validate=length(max=1000))


class OutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=one_of(OUTCOMES))


class HiringNeedSchema(Schema):
    profession = fields.String(required=True, validate=length(min=2, max=160))
    sector = fields.String(load_default="", validate=length(max=120))
    description = fields.String(load_default="", validate=length(max=1000))


class FollowUpSchema(Schema):
    still_in_territory = fields.Boolean(required=True)
    partner_working = fields.Boolean(load_default=False)
    notes = fields.String(load_default="", validate=length(max=1000))
