"""Hostile input refused once, at the edge, for every page and API of the core and the plugins.

Each rule handles a class of input rather than one view: integers beyond the database's range in
URLs and query strings, control characters (NUL…) anywhere in a request, absurdly nested JSON.
Request bodies are capped by MAX_CONTENT_LENGTH (413), except on upload forms that declare a
larger cap with ``accepts_body`` and check the file's size themselves (a field error). Schemas repeat the text and integer rules
field by field (coopserv.schemas) so services called from the CLI get them too.
"""
import re

from flask import Request, current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.routing import IntegerConverter

#: The range of the database's INTEGER columns (PostgreSQL ``integer``; every id is one).
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
#: C0 control characters and DEL, except tab, line feed and carriage return (typed in text areas).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: JSON nested deeper than this is refused (400) before any view walks it.
MAX_JSON_DEPTH = 32


def within_database_range(value):
    """Tell whether ``value`` fits the database's INTEGER columns."""
    return DB_INT_MIN <= value <= DB_INT_MAX


def bounded_id(value):
    """Read an id sent as text or a JSON number: an int in the database's range, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        value = int(value)
    if isinstance(value, int) and within_database_range(value):
        return value
    return None


def has_control_characters(text):
    return isinstance(text, str) and CONTROL_CHARACTERS.search(text) is not None


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in a URL: a number beyond the database's range matches no route, so 404."""

    # Ten digits hold every id; longer numbers are not even converted (Python refuses 4,300+ digits).
    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        upper = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=upper, signed=signed)


class BoundedMultiDict(ImmutableMultiDict):
    """Query strings and forms where ``get(name, type=int)`` treats an out-of-range number as absent."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and value is not default and not within_database_range(value):
            return default
        return value

    def getlist(self, key, type=None):
        values = super().getlist(key, type=type)
        if type is int:
            return [value for value in values if within_database_range(value)]
        return values


def accepts_body(max_bytes):
    """Let one view read bodies up to ``max_bytes`` (more than MAX_CONTENT_LENGTH).

    For upload forms whose own check refuses a too-heavy file with a field-level error: a file just
    over its limit must reach that check rather than the app-wide 413 page.
    """
    def decorate(view):
        view.max_body_bytes = max_bytes
        return view
    return decorate


def _body_cap(request_class):
    """The request class whose body cap is the matched view's ``accepts_body``, else MAX_CONTENT_LENGTH."""

    class CappedRequest(request_class):
        @property
        def max_content_length(self):
            cap = super().max_content_length
            view = current_app.view_functions.get(self.url_rule.endpoint) if self.url_rule is not None else None
            wider = getattr(view, "max_body_bytes", None)
            return max(cap, wider) if cap is not None and wider is not None else cap

    return CappedRequest


def install_input_guard(app):
    """Bound ``<int:>`` URL parts, query and form integers, and refuse control characters app-wide.

    Call it after the extensions (htmx-flask brings its own request class, which is kept) and
    before the blueprints, whose rules take the converter when they are added.
    """
    base = app.request_class if issubclass(app.request_class, Request) else Request
    app.request_class = type("CoopservRequest", (_body_cap(base),), {
        "__doc__": "The request with bounded integer look-ups in ``args`` and ``form``, its body capped per view.",
        "parameter_storage_class": BoundedMultiDict,
    })
    app.url_map.converters["int"] = BoundedIntegerConverter
    # A URL value preprocessor of the app runs before the blueprints' (which load the territory
    # from the URL) and before every before_request function.
    app.url_value_preprocessor(lambda endpoint, values: refuse_hostile_input())


def refuse_hostile_input():
    """Refuse a request carrying control characters (400 in the URL or headers, 422 per field in a body)."""
    if has_control_characters(request.path):
        raise BadRequest(_("The address contains control characters."))
    for name, value in request.headers.items():
        if has_control_characters(name) or has_control_characters(value):
            raise BadRequest(_("A header contains control characters."))
    errors = {}
    for source in (request.args, request.form):
        for key, values in source.lists():
            if has_control_characters(key) or any(has_control_characters(value) for value in values):
                errors[_printable(key)] = [_("Remove the control characters (such as NUL) from this field.")]
    if request.is_json and request.content_length:
        body = request.get_json(silent=True)
        _check_json(body, "", errors, 0)
    if errors:
        error = UnprocessableEntity()
        error.data = {"errors": errors}
        raise error


def _check_json(value, path, errors, depth):
    """Walk a parsed JSON body: note each field with control characters; refuse absurd nesting."""
    if depth > MAX_JSON_DEPTH:
        raise BadRequest(_("The JSON body is nested too deeply."))
    if isinstance(value, dict):
        for key, item in value.items():
            field = f"{path}.{key}" if path else str(key)
            if has_control_characters(key):
                errors[_printable(field)] = [_("Remove the control characters (such as NUL) from this field.")]
            _check_json(item, field, errors, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}.{index}" if path else str(index), errors, depth + 1)
    elif has_control_characters(value):
        errors[_printable(path or "_body")] = [_("Remove the control characters (such as NUL) from this field.")]


def _printable(name):
    """A field name safe to echo back (its control characters shown as U+FFFD)."""
    return CONTROL_CHARACTERS.sub("\ufffd", str(name))[:100]
