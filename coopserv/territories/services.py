"""The one place that writes territories."""
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.territories.models import Territory
from coopserv.territories.schemas import TerritorySchema


def get_territory(slug):
    return db.session.scalar(select(Territory).filter_by(slug=slug))


def set_timezone(territory, data, actor=None):
    """Change the zone a territory's times are shown and typed in (stored times do not move)."""
    from coopserv.audit.services import record

    old = territory.timezone
    territory.timezone = data["timezone"]
    record("territory.timezone_changed", territory.slug, actor=actor, old=old, new=territory.timezone)
    db.session.commit()
    return territory


def create_territory(raw):
    """Validate and create a territory; a slug already used is a field error."""
    data = TerritorySchema().load(raw)
    if get_territory(data["slug"]) is not None:
        raise ValidationError({"slug": [_("A territory already uses this slug.")]})
    territory = Territory(**data)
    db.session.add(territory)
    db.session.commit()
    return territory
