"""A place's point typed as one field ("44.61, 1.98", as map sites copy it) or as latitude and longitude.

Operators paste a point from any map site once per business park or town; keyboard users and API
clients may still give the two numbers apart. Either way a bad point is refused on the field it was
typed in, never half-stored.
"""
import re

from marshmallow import ValidationError, fields, post_load, validates_schema

from coopserv.plugin_api import between, lazy_gettext

#: Two decimal numbers (point or comma as decimal mark) separated by a comma, a semicolon, a slash or
#: spaces, optionally as a geo: URI: "44.6084, 2.0317", "44,6084; 2,0317", "geo:44.6084,2.0317".
POINT = re.compile(r"^\s*(?:geo:)?\s*([-+]?\d{1,3}(?:[.,]\d+)?)\s*(?:[,;/]\s*|\s+)([-+]?\d{1,3}(?:[.,]\d+)?)\s*$",
                   re.IGNORECASE)
EXAMPLE = "44.6084, 2.0317"


def parse_point(text):
    """(latitude, longitude) of a point typed as one text, or ValidationError saying what is wrong."""
    found = POINT.match(text or "")
    if found is None:
        raise ValidationError(lazy_gettext("Type the latitude, then the longitude, separated by a comma "
                                           "(for example %(example)s).", example=EXAMPLE))
    latitude, longitude = (float(part.replace(",", ".")) for part in found.groups())
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise ValidationError(lazy_gettext("This point is not on Earth: the latitude is between -90 and 90, "
                                           "the longitude between -180 and 180."))
    return latitude, longitude


class PointFields:
    """Schema fields of a place's point: ``point`` in one field, or ``latitude`` and ``longitude``.

    Loads as ``latitude`` and ``longitude``; errors come on ``point`` when it was used (or when
    nothing was given), on the separate field otherwise.
    """

    point = fields.String(load_default=None, load_only=True)
    latitude = fields.Float(load_default=None, validate=between(-90, 90))
    longitude = fields.Float(load_default=None, validate=between(-180, 180))

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _one_point(self, data, original, **kwargs):
        if data.get("point"):
            try:
                data["latitude"], data["longitude"] = parse_point(data["point"])
            except ValidationError as error:
                raise ValidationError(error.messages, "point") from None
            return
        typed = {key for key in ("latitude", "longitude")
                 if isinstance(original, dict) and original.get(key) not in (None, "")}
        if not typed:
            raise ValidationError(lazy_gettext("Give the point (for example %(example)s).", example=EXAMPLE), "point")
        if len(typed) == 1:
            missing = ({"latitude", "longitude"} - typed).pop()
            raise ValidationError(lazy_gettext("Give both the latitude and the longitude."), missing)

    @post_load
    def _without_the_typed_point(self, data, **kwargs):
        data.pop("point", None)
        return data
