"""Input schemas of the public pages: the settings an admin chooses and the visitors' registration form."""
from marshmallow import fields, pre_load

from coopserv.schemas import Id, Schema, Text, between, length


class SettingsSchema(Schema):
    services = fields.Boolean(load_default=False)
    needs = fields.Boolean(load_default=False)
    projects = fields.Boolean(load_default=False)
    events = fields.Boolean(load_default=False)
    introduction = Text(load_default="", multiline=True, validate=length(max=300))


class PublicationSchema(Schema):
    """Whether an event is public, whether visitors may register, and their places (the API names the event in its path)."""

    published = fields.Boolean(load_default=False, metadata={"description": "Shown on the public pages."})
    registration_open = fields.Boolean(load_default=False,
                                       metadata={"description": "Visitors may register (until the event starts)."})
    capacity = fields.Integer(load_default=None, validate=between(1, 100_000),
                              metadata={"description": "Places for visitors; null: no limit."})


class PublishedEventSchema(PublicationSchema):
    """The admin page's form: the event chosen, and its publication."""

    event_id = Id(required=True)


class RegistrationSchema(Schema):
    """Name, e-mail, company: nothing more is asked of a visitor."""

    name = Text(required=True, validate=length(min=2, max=120))
    email = fields.Email(required=True, validate=length(max=254))
    company = Text(load_default="", validate=length(max=160))

    @pre_load
    def _clean(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        data = {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
        if isinstance(data.get("email"), str):
            data["email"] = data["email"].lower()
        return data
