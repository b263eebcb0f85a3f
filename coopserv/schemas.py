"""The base of every coopserv schema: marshmallow with messages in the reader's language."""
import marshmallow
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, fields, pre_load, validate

#: Default field messages, translated; a field's own custom message wins.
TRANSLATED_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field is required."),
    "invalid": _l("This value is not valid."),
    "invalid_utf8": _l("This value is not valid text."),
    "too_large": _l("This number is too large."),
    "special": _l("This number is not valid."),
}
TYPE_MESSAGES = {
    fields.Integer: {"invalid": _l("Enter a whole number.")},
    fields.Float: {"invalid": _l("Enter a number.")},
    fields.Decimal: {"invalid": _l("Enter a number.")},
    fields.Email: {"invalid": _l("Enter a valid email address.")},
    fields.Date: {"invalid": _l("Enter a valid date (YYYY-MM-DD).")},
    fields.DateTime: {"invalid": _l("Enter a valid date and time.")},
    fields.Time: {"invalid": _l("Enter a valid time (HH:MM).")},
    fields.Boolean: {"invalid": _l("Choose yes or no.")},
    fields.List: {"invalid": _l("Choose one or more values.")},
    fields.Nested: {"type": _l("This value is not valid.")},
}


class Schema(marshmallow.Schema):
    """Ignore unknown keys (form buttons, CSRF) and treat empty form fields as missing."""

    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name, field_obj):
        # Resolved now, in the reader's language: marshmallow wraps only real strings in a list.
        messages = dict(field_obj.error_messages)
        for key, text in TRANSLATED_MESSAGES.items():
            if key in messages and messages[key] == type(field_obj).default_error_messages.get(key, messages[key]):
                messages[key] = str(text)
        for field_type, overrides in TYPE_MESSAGES.items():
            if isinstance(field_obj, field_type):
                messages.update({key: str(text) for key, text in overrides.items()})
        field_obj.error_messages = messages

    @pre_load
    def _blank_is_missing(self, data, **kwargs):
        """HTML forms send "" for an empty input: treat it as not given."""
        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if value != "" and value is not None}


def one_of(choices, labels=None):
    """A OneOf validator with a translated message."""
    return validate.OneOf(choices, labels=labels, error=_l("Choose one of the proposed values."))


def length(min=None, max=None):
    """A Length validator with translated messages."""
    if min and max:
        message = _l("Between {min} and {max} characters.")
    elif min:
        message = _l("At least {min} characters.")
    else:
        message = _l("At most {max} characters.")
    return validate.Length(min=min, max=max, error=message)


def at_least(minimum):
    return validate.Range(min=minimum, error=_l("Must be at least {min}."))


def between(minimum, maximum):
    return validate.Range(min=minimum, max=maximum, error=_l("Must be between {min} and {max}."))


#: The largest id or count a database integer column holds (PostgreSQL's INTEGER).
MAX_INTEGER = 2**31 - 1
#: Characters below the space that text fields keep: tab and line breaks.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def database_id(value):
    """Refuse an id no database row can have (zero, negative, beyond a 32-bit integer)."""
    if not 1 <= value <= MAX_INTEGER:
        raise validate.ValidationError(_l("This value is not valid."))


def no_control_characters(value):
    """Refuse NUL and other control characters, which no text typed by a person contains."""
    if any((ord(c) < 32 and c not in _ALLOWED_CONTROLS) or 127 <= ord(c) < 160 for c in value):
        raise validate.ValidationError(_l("Remove the invisible control characters from this text."))


def text(min=None, max=None):
    """Validators of a text field: its length, and no control characters."""
    return [length(min=min, max=max), no_control_characters]


def sane_date(value):
    """Refuse dates no committee or service deals with (before 1900 or after 2200)."""
    if not 1900 <= value.year <= 2200:
        raise validate.ValidationError(_l("Enter a date between 1900 and 2200."))


def amount_between(minimum, maximum):
    """A Range for money amounts (Decimal fields), written so the OpenAPI document stays valid.

    apispec copies a Range's bounds into the document through the field, which
    writes a Decimal's as strings; a plain function keeps them out of it.
    """
    check = between(minimum, maximum)

    def validator(value):
        return check(value)

    return validator
