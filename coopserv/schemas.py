"""The base of every coopserv schema: marshmallow with messages in the reader's language.

Every field of every schema (core and plugins) also gets the input rules that hold everywhere, so no
view has to repeat them: whole numbers fit the database's INTEGER columns, text carries no control
characters, dates and times stay within years 1900–2199 with UTC offsets of at most ±14:00, and an
aware date and time is stored as naive UTC (as every column stores it) while naive ones are left
as typed. Datetimes go out with their UTC offset (OpenAPI's ``date-time``).
"""
import re
from datetime import date, datetime, timedelta, timezone
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


class NoControlCharacters(validate.Validator):
    """Refuse control characters (NUL, escape…) in a text; tabs and line breaks stay allowed.

    Not a ``Regexp``: apispec documents only a field's first regular expression, so a field with a
    pattern of its own would lose one of the two rules. The API document states this one beside the
    field's own (coopserv.api.openapi).
    """

    #: The rule as a JSON Schema pattern.
    pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    _forbidden = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

    def __init__(self):
        self.error = _l("Remove the control characters (such as NUL) from this field.")

    def __call__(self, value):
        if isinstance(value, str) and self._forbidden.search(value):
            raise ValidationError(str(self.error))
        return value


def harden_field(field):
    """Add the input rules that hold everywhere to ``field`` and the fields inside it (lists, dicts)."""
    if field.__dict__.get("_coopserv_hardened"):
        return
    field._coopserv_hardened = True
    if isinstance(field, fields.Integer):
        # A Range instance, so the OpenAPI document states the bounds too.
        extra = validate.Range(min=DB_INT_MIN, max=DB_INT_MAX, error=_l("This number is out of range."))
    elif isinstance(field, fields.String):
        # The API document states the rule (and fuzzers follow it): see coopserv.api.openapi.
        extra = NoControlCharacters()
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


def database_id(value):
    """Refuse an id no database row can have (zero or negative; the upper bound holds for every integer)."""
    if value < 1:
        raise validate.ValidationError(_l("This value is not valid."))


def text(min=None, max=None):
    """Validators of a text field: its length (control characters are refused for every field already)."""
    return [length(min=min, max=max)]


def amount_between(minimum, maximum):
    """A Range for money amounts (Decimal fields), written so the OpenAPI document stays valid.

    apispec copies a Range's bounds into the document through the field, which
    writes a Decimal's as strings; a plain function keeps them out of it.
    """
    check = between(minimum, maximum)

    def validator(value):
        return check(value)

    return validator


# -- narrower rules some fields ask for, on top of the ones above ----------------------------
#: The largest id the database's integer columns hold (PostgreSQL ``integer``).
MAX_ID = DB_INT_MAX
#: Dates outside this window are typing mistakes or probes, never data of the method.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")


class Text(fields.String):
    """A string without control characters; single-line unless ``multiline`` (tabs and line breaks then)."""

    def __init__(self, *args, multiline=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if (_CONTROL if self.multiline else _CONTROL_SINGLE_LINE).search(text):
            raise ValidationError(str(_l("This text contains characters that are not allowed.")))
        return text


def Id(**kwargs):  # noqa: N802 - reads like a field class in schemas
    """A database id: a whole number from 1 to the integer columns' maximum."""
    return fields.Integer(strict=False, validate=between(1, MAX_ID), **kwargs)


def sane_date():
    """A Range validator keeping dates between 1900 and 2100."""
    return validate.Range(min=EARLIEST_DATE, max=LATEST_DATE,
                          error=_l("Give a date between 1900 and 2100."))
