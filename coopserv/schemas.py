"""The base of every coopserv schema: marshmallow with messages in the reader's language.

Every field of every schema (core and plugins) also gets the input rules that hold everywhere, so no
view has to repeat them: whole numbers fit the database's INTEGER columns, text carries no control
characters, dates and times stay within years 1900–2199 with UTC offsets of at most ±14:00, and an
aware date and time is stored as naive UTC (as every column stores it) while naive ones are left
as typed. Datetimes go out with their UTC offset (OpenAPI's ``date-time``).
"""
from datetime import datetime, timedelta, timezone
from functools import wraps

import marshmallow
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import EXCLUDE, ValidationError, fields, pre_load, validate

from coopserv.input_guard import DB_INT_MAX, DB_INT_MIN

EARLIEST_YEAR = 1900
LATEST_YEAR = 2199
MAX_UTC_OFFSET = timedelta(hours=14)

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
        harden_field(field_obj)

    def handle_error(self, error, data, *, many, **kwargs):
        """Send every message as text in a list, whatever a validator raised (lazy text included)."""
        raise ValidationError(plain_messages(error.messages), error.field_name, data=error.data,
                              valid_data=error.valid_data, **error.kwargs)

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
    """A Range validator (``minimum`` or more) with a translated message."""
    return validate.Range(min=minimum, error=_l("Must be at least {min}."))


def between(minimum, maximum):
    """A Range validator (``minimum`` to ``maximum``) with a translated message."""
    return validate.Range(min=minimum, max=maximum, error=_l("Must be between {min} and {max}."))


def harden_field(field):
    """Add the input rules that hold everywhere to ``field`` and the fields inside it (lists, dicts)."""
    if field.__dict__.get("_coopserv_hardened"):
        return
    field._coopserv_hardened = True
    if isinstance(field, fields.Integer):
        # A Range instance, so the OpenAPI document states the bounds too.
        extra = validate.Range(min=DB_INT_MIN, max=DB_INT_MAX, error=_l("This number is out of range."))
    elif isinstance(field, fields.String):
        # A Regexp instance, so the OpenAPI document states the rule (and fuzzers follow it).
        extra = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                                error=_l("Remove the control characters (such as NUL) from this field."))
    elif isinstance(field, fields.Date):
        extra = _date_in_range
    else:
        extra = None
        if isinstance(field, fields.DateTime) and not isinstance(field, fields.Time):
            _normalise_datetimes(field)
    # A new list: marshmallow copies fields shallowly, so the declared field's list is shared.
    field.validators = [_with_plain_messages(validator) for validator in field.validators]
    if extra is not None:
        field.validators.append(extra)
    for inner in _inner_fields(field):
        harden_field(inner)


def _inner_fields(field):
    if isinstance(field, fields.List):
        yield field.inner
    if isinstance(field, fields.Tuple):
        yield from field.tuple_fields
    if isinstance(field, fields.Dict):
        yield from (f for f in (field.key_field, field.value_field) if f is not None)


def _date_in_range(value):
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(str(_l("Enter a date between %(first)s and %(last)s.",
                                     first=EARLIEST_YEAR, last=LATEST_YEAR)))


def normalise_datetime(moment):
    """Check a parsed date and time (years, UTC offset) and return aware ones as naive UTC.

    Raises ValidationError with the reader's message; code that parses times by hand (sensor
    payloads) calls it too, so the rules are the same everywhere.
    """
    if not isinstance(moment, datetime):
        return moment
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(str(_l("The time zone offset must be between -14:00 and +14:00.")))
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValidationError(str(_l("Enter a date between %(first)s and %(last)s.",
                                     first=EARLIEST_YEAR, last=LATEST_YEAR)))
    if offset is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _normalise_datetimes(field):
    """Check a date and time on the way in and store aware ones as naive UTC; send naive ones out as UTC."""
    deserialize, serialize = field._deserialize, field._serialize

    @wraps(deserialize)
    def load(value, attr, data, **kwargs):
        try:
            moment = deserialize(value, attr, data, **kwargs)
        except OverflowError:  # a field converting time zones itself, at the edge of datetime's range
            raise ValidationError(str(_l("Enter a date between %(first)s and %(last)s.",
                                         first=EARLIEST_YEAR, last=LATEST_YEAR))) from None
        return normalise_datetime(moment)

    @wraps(serialize)
    def dump(value, attr, obj, **kwargs):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return serialize(value, attr, obj, **kwargs)

    field._deserialize, field._serialize = load, dump


def _with_plain_messages(validator):
    """Wrap a validator so a lazy message is not split into characters by marshmallow's list handling.

    marshmallow's own validators format their messages as text already, and stay unwrapped so the
    OpenAPI document can still read their bounds and choices.
    """
    if getattr(validator, "_coopserv_plain", False) or isinstance(validator, validate.Validator):
        return validator

    @wraps(validator)
    def run(value):
        try:
            return validator(value)
        except ValidationError as error:
            raise ValidationError(plain_messages(error.messages), error.field_name, **error.kwargs) from None

    run._coopserv_plain = True
    return run


def plain_messages(messages):
    """Messages as marshmallow should hold them: text in lists, nested dicts kept, lazy text resolved."""
    if isinstance(messages, dict):
        return {key: plain_messages(value) for key, value in messages.items()}
    if isinstance(messages, (str, LazyString)):
        return [str(messages)]
    if isinstance(messages, (list, tuple)):
        flat = []
        for item in messages:
            if isinstance(item, dict):
                flat.append(plain_messages(item))
            else:
                flat.append(str(item))
        return flat
    return [str(messages)]
