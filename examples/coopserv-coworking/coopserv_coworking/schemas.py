"""Coworking desks schemas: the request (validated by the core before anything is stored) and the config."""
from datetime import timedelta

from marshmallow import ValidationError, fields, validates_schema
from sqlalchemy import select

from coopserv.plugin_api import Schema, _l, between, db, gettext, length, local_today

from .models import Resource
from .services import desk_taken


class CoworkingConfigSchema(Schema):
    max_days_ahead = fields.Integer(load_default=30, validate=between(1, 365),
                                    metadata={"label": _l("How far ahead people may book (days)")})


class CoworkingRequestSchema(Schema):
    resource_id = fields.Integer(required=True)
    day = fields.Date(required=True)
    notes = fields.String(load_default="", validate=length(max=500))

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        config = CoworkingConfigSchema().load(self.module.config or {})
        errors = {}
        if data.get("resource_id") is not None and db.session.scalar(
                select(Resource.id).filter_by(id=data["resource_id"], active=True)) is None:
            errors["resource_id"] = [gettext("Choose one of the proposed desks.")]
        day = data.get("day")
        today = local_today()
        if day is not None and day < today:
            errors["day"] = [gettext("Choose a day from today on.")]
        elif day is not None and day > today + timedelta(days=config["max_days_ahead"]):
            errors["day"] = [gettext("This day is too far ahead.")]
        if not errors and day is not None and data.get("resource_id") is not None and desk_taken(data["resource_id"], day):
            errors["day"] = [gettext("This desk is already booked that day.")]
        if errors:
            raise ValidationError(errors)


class ResourceSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=120))
    description = fields.String(load_default="", validate=length(max=1000))
