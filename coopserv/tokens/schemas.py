"""Input schema for creating a token."""
from marshmallow import fields

from coopserv.schemas import Schema, Text, length


class TokenCreateSchema(Schema):
    name = Text(required=True, validate=length(min=2, max=80), metadata={"description": "What the token is for."})
    read_only = fields.Boolean(load_default=False, metadata={"description": "Only reads: every write answers 403."})
