"""The one place that writes a territory's branding (and its logo files)."""
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.branding import logos
from coopserv.branding.schemas import BrandingSchema
from coopserv.extensions import db
from coopserv.territories.models import Territory

FIELDS = ("name", "region", "primary_color", "accent_color", "default_language", "host")


def current_values(territory):
    """The form's starting values: what the territory has now."""
    values = {name: getattr(territory, name) or "" for name in FIELDS}
    values["logo_file"] = territory.logo_file or ""
    return values


def validate_branding(territory, raw, upload=None):
    """Check a proposed branding without saving it; return (data, logo file name or None).

    An uploaded logo is processed and stored at once under a content-derived name, so the
    preview can show it and the save that follows reuses it without a second upload.
    """
    raw = dict(raw)
    if raw.get("host"):
        raw["host"] = raw["host"].strip().lower()
    errors = {}
    try:
        data = BrandingSchema().load(raw)
    except ValidationError as error:
        data, errors = {}, dict(error.messages)
    if data.get("host"):
        taken = db.session.scalar(select(Territory.id).where(Territory.host == data["host"], Territory.id != territory.id))
        if taken is not None:
            errors.setdefault("host", []).append(_("Another territory already answers on this host name."))
    logo_file = _chosen_logo(territory, raw, upload, errors)
    if errors:
        raise ValidationError(errors)
    return data, logo_file


def _chosen_logo(territory, raw, upload, errors):
    if upload is not None and upload.filename:
        try:
            return logos.store_logo(territory.id, logos.process_logo(upload.stream))
        except logos.LogoError as error:
            errors.setdefault("logo", []).append(str(error))
            return None
    if raw.get("remove_logo") in ("1", "on", "true", True):
        return None
    pending = raw.get("logo_file") or ""
    if pending and logos.belongs_to(pending, territory.id):
        return pending
    return territory.logo_file


def update_branding(territory, raw, upload=None):
    """Validate and save the branding; the logo files no longer used are deleted."""
    data, logo_file = validate_branding(territory, raw, upload)
    changed = {}
    for name in FIELDS:
        value = data.get(name)
        if name in ("primary_color", "accent_color") and value:
            value = value.lower()
        if name == "region":
            value = value or ""
        if getattr(territory, name) != value:
            changed[name] = value
            setattr(territory, name, value)
    if territory.logo_file != logo_file:
        changed["logo_file"] = logo_file
        territory.logo_file = logo_file
    record("territory.branding", territory.slug, fields=sorted(changed))
    db.session.commit()
    logos.remove_other_logos(territory.id, keep=logo_file)
    return territory
