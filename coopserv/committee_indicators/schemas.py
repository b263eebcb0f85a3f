"""Input schemas of committee indicators: the definition and a monthly figure."""
from marshmallow import fields, pre_load

from coopserv.schemas import Schema, between, database_id, one_of, text

from .models import AGGREGATIONS, METHODS
from .sources import SOURCES

#: The largest figure or target a committee indicator takes.
MAX_FIGURE = 1_000_000_000


class DefinitionSchema(Schema):
    """What the committee measures, how, by whom, towards which target."""

    name = fields.String(required=True, validate=text(min=3, max=160))
    unit = fields.String(required=True, validate=text(min=1, max=40))
    description = fields.String(load_default="", validate=text(max=2000))
    method = fields.String(required=True, validate=one_of(list(METHODS)))
    reporter_id = fields.Integer(load_default=None, validate=database_id)
    aggregation = fields.String(load_default="sum", validate=one_of(list(AGGREGATIONS)))
    source = fields.String(load_default=None, validate=one_of(list(SOURCES)))
    filters = fields.Dict(keys=fields.String(validate=text(min=1, max=40)),
                          values=fields.String(validate=text(min=1, max=80)), load_default=dict)
    target_value = fields.Float(load_default=None, validate=between(-MAX_FIGURE, MAX_FIGURE))
    per_employees = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)


class FigureSchema(Schema):
    """One month's figure; the month may be typed as YYYY-MM (a month input) or any day of it."""

    month = fields.Date(required=True)
    value = fields.Float(required=True, validate=between(-MAX_FIGURE, MAX_FIGURE))
    note = fields.String(load_default="", validate=text(max=300))

    @pre_load
    def _month_input(self, data, **kwargs):
        month = data.get("month") if isinstance(data, dict) else None
        if isinstance(month, str) and len(month) == 7:
            data = dict(data, month=month + "-01")
        return data
