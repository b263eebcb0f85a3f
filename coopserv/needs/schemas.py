"""Input schemas of needs intake: a need, a support, statuses, merges, collective needs, campaigns."""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates_schema

from coopserv.schemas import Schema, between, length, one_of

from .models import (
    ANSWER_STATUSES,
    FAMILIES,
    NOT_RETAINED,
    QUESTION_KINDS,
    SCOPES,
    URGENCIES,
)


class NeedSchema(Schema):
    """A need as an employee or a referent submits it (HTML form and JSON alike)."""

    title = fields.String(required=True, validate=length(min=4, max=200))
    description = fields.String(required=True, validate=length(min=10, max=4000))
    category_id = fields.Integer(required=True)
    scope = fields.String(load_default="individual", validate=one_of(list(SCOPES)))
    employees_affected = fields.Integer(load_default=1, validate=between(1, 100_000))
    sites = fields.String(load_default="", validate=length(max=200))
    shifts = fields.String(load_default="", validate=length(max=200))
    business_park = fields.String(load_default="", validate=length(max=120))
    urgency = fields.String(load_default="medium", validate=one_of(list(URGENCIES)))
    #: On an organization's behalf (admins, referents): which organization, and where the need was heard.
    organization_id = fields.Integer(load_default=None, allow_none=True)
    source = fields.String(load_default="", validate=length(max=200))


class SupportSchema(Schema):
    employees_affected = fields.Integer(load_default=1, validate=between(1, 100_000))


class StatusSchema(Schema):
    """An admin's answer to a need: not retained needs a reason, addressed needs a project."""

    status = fields.String(required=True, validate=one_of(ANSWER_STATUSES))
    reason = fields.String(load_default="", validate=length(max=2000))
    project_id = fields.Integer(load_default=None)

    @validates_schema
    def _status_needs(self, data, **kwargs):
        if data.get("status") == NOT_RETAINED and not data.get("reason"):
            raise ValidationError(_l("Say why the need is not retained."), "reason")
        if data.get("status") == "addressed" and not data.get("project_id"):
            raise ValidationError(_l("Choose the project addressing this need."), "project_id")


class MergeSchema(Schema):
    target_id = fields.Integer(required=True)


class CollectiveNeedSchema(Schema):
    title = fields.String(required=True, validate=length(min=4, max=200))
    description = fields.String(load_default="", validate=length(max=4000))
    need_ids = fields.List(fields.Integer(), required=True, validate=length(min=1))


class SettingsSchema(Schema):
    threshold_companies = fields.Integer(required=True, validate=between(1, 1000))
    threshold_employees = fields.Integer(required=True, validate=between(1, 1_000_000))


class CategorySchema(Schema):
    label = fields.String(required=True, validate=length(min=2, max=120))
    family = fields.String(required=True, validate=one_of(list(FAMILIES)))


class QuestionSchema(Schema):
    text = fields.String(required=True, validate=length(min=4, max=300))
    kind = fields.String(load_default="text", validate=one_of(list(QUESTION_KINDS)))
    choices = fields.List(fields.String(validate=length(min=1, max=120)), load_default=list)

    @validates_schema
    def _choices_for_choice_questions(self, data, **kwargs):
        if data.get("kind", "text") != "text" and len(data.get("choices") or []) < 2:
            raise ValidationError(_l("Give at least two choices."), "choices")


class CampaignSchema(Schema):
    """A campaign; forms send questions as ``q<n>_text``, ``q<n>_kind``, ``q<n>_choices`` (one per line)."""

    title = fields.String(required=True, validate=length(min=4, max=200))
    introduction = fields.String(load_default="", validate=length(max=4000))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True, validate=length(min=1, max=20))

    @validates_schema(skip_on_field_errors=False)
    def _period(self, data, **kwargs):
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            raise ValidationError(_l("The campaign must close after it opens."), "closes_on")


def question_errors_by_slot(values, errors, slots=5):
    """Put nested question errors on the form's ``q<n>_<field>`` inputs they belong to."""
    nested = errors.get("questions")
    if not isinstance(nested, dict):
        return errors
    filled = [n for n in range(1, slots + 1) if (values.get(f"q{n}_text") or "").strip()]
    flat = {k: v for k, v in errors.items() if k != "questions"}
    for index, messages in nested.items():
        if isinstance(messages, dict) and isinstance(index, int) and index < len(filled):
            for field, texts in messages.items():
                flat[f"q{filled[index]}_{field}"] = texts
    return flat


def campaign_form_to_data(values, slots=5):
    """Turn the flat campaign form into the nested shape CampaignSchema loads (blank questions dropped)."""
    data = {k: v for k, v in values.items() if not k.startswith("q")}
    questions = []
    for number in range(1, slots + 1):
        text = (values.get(f"q{number}_text") or "").strip()
        if not text:
            continue
        choices = [line.strip() for line in (values.get(f"q{number}_choices") or "").splitlines() if line.strip()]
        questions.append({"text": text, "kind": values.get(f"q{number}_kind") or "text", "choices": choices})
    if questions or "questions" not in values:
        data["questions"] = questions or None
    return {k: v for k, v in data.items() if v is not None}

