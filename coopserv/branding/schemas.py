"""What a territory admin may change about the portal's look, with the contrast rule written once."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from coopserv.branding.colors import contrast_report
from coopserv.schemas import Schema, length, one_of

COLOR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error=_l("Give a colour as #rrggbb."))
HOST = validate.Regexp(r"^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$",
                       error=_l("Give a host name such as services.example.org (no https://, no path)."))


def contrast_problems(primary, accent):
    """Field errors for colour pairs below the WCAG minimum, in words an admin can act on."""
    messages = {
        "primary_on_white": _("Links and white text on this primary colour would be hard to read "
                              "(contrast %(ratio).1f:1, at least %(minimum).1f:1 needed): choose a darker colour."),
        "accent_next_to_primary": _("The accent colour does not stand out from the primary colour "
                                    "(contrast %(ratio).1f:1, at least %(minimum).1f:1 needed)."),
        "text_on_accent": _("Text on the accent colour would be hard to read "
                            "(contrast %(ratio).1f:1, at least %(minimum).1f:1 needed)."),
    }
    errors = {}
    for key, ratio, minimum, passes in contrast_report(primary, accent):
        if not passes:
            field = "primary_color" if key == "primary_on_white" else "accent_color"
            errors.setdefault(field, []).append(messages[key] % {"ratio": ratio, "minimum": minimum})
    return errors


class BrandingSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=120))
    region = fields.String(load_default="", validate=length(max=120))
    primary_color = fields.String(required=True, validate=COLOR)
    accent_color = fields.String(required=True, validate=COLOR)
    default_language = fields.String(required=True, validate=lambda v: one_of(current_app.config["LANGUAGES"])(v))
    host = fields.String(load_default=None, validate=HOST)
    remove_logo = fields.Boolean(load_default=False)

    @validates_schema
    def _readable_colours(self, data, **kwargs):
        if "primary_color" in data and "accent_color" in data:
            errors = contrast_problems(data["primary_color"].lower(), data["accent_color"].lower())
            if errors:
                raise ValidationError(errors)
