"""Input schema for creating a token."""
from marshmallow import fields

from coopserv.schemas import Schema, Text, length


class TokenCreateSchema(Schema):
    name = Text(required=True, validate=length(min=2, max=80), metadata={"description": "What the token is for."})
    read_only = fields.Boolean(load_default=False, metadata={"description": "Only reads: every write answers 403."})


def load_token_form(values):
    """The token form of every kind (territory, network, platform): its checkbox says "on" when ticked.

    Sets ``values["read_only"]`` to a boolean so a refused form shows the box as it was, then loads;
    raises ValidationError with field messages.
    """
    values["read_only"] = values.get("read_only") == "on"
    return TokenCreateSchema().load(values)
