"""Describe a marshmallow schema's fields so one template can render any plugin's config form."""
from dataclasses import dataclass

from marshmallow import fields, validate


@dataclass
class FormField:
    name: str
    label: str
    kind: str
    required: bool
    help: str = ""
    choices: tuple = ()
    multiple: bool = False


def describe(schema_class):
    """Return the fields of a flat schema as FormFields (labels come from field metadata)."""
    schema = schema_class()
    described = []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        label = field.metadata.get("label", name.replace("_", " ").capitalize())
        help_text = field.metadata.get("help", "")
        choices = ()
        multiple = isinstance(field, fields.List)
        inner = field.inner if multiple else field
        for validator in getattr(inner, "validators", []):
            if isinstance(validator, validate.OneOf):
                choices = tuple(zip(validator.choices, validator.labels))
        if choices:
            kind = "select"
        elif isinstance(field, fields.Boolean):
            kind = "checkbox"
        elif isinstance(field, (fields.Integer, fields.Float, fields.Decimal)):
            kind = "number"
        elif isinstance(field, fields.Date):
            kind = "date"
        elif isinstance(field, fields.Time):
            kind = "time"
        elif multiple:
            kind = "lines"
        else:
            kind = "text"
        described.append(FormField(name, label, kind, field.required, help_text, choices, multiple))
    return described


def form_to_config(described, data):
    """Turn submitted form values into the shape the schema loads (checkboxes, one item a line)."""
    result = {}
    for field in described:
        value = data.get(field.name)
        if field.kind == "checkbox":
            result[field.name] = value in ("on", "true", "1", True)
        elif field.kind == "lines":
            result[field.name] = [line.strip() for line in (value or "").splitlines() if line.strip()]
        elif value not in (None, ""):
            result[field.name] = value
    return result


def config_to_form(described, config):
    """Turn a stored config into form values (lists become one item a line)."""
    values = {}
    for field in described:
        value = (config or {}).get(field.name)
        values[field.name] = "\n".join(map(str, value)) if field.kind == "lines" and value else value
    return values
