"""Input schema for creating a token."""
from marshmallow import fields

from coopserv.schemas import Schema, length


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=length(min=2, max=80), metadata={"description": "What the token is for."})
