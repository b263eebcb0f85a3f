"""Input schema of the e-mail part of the settings page."""
from marshmallow import fields

from coopserv.emails.categories import MODES, tunable_categories
from coopserv.schemas import Schema, one_of


def EmailPreferencesSchema():
    """One field per tunable category, each one of the modes (built from the categories, so none is missed)."""
    declared = {category.key: fields.String(required=True, validate=one_of(MODES))
                for category in tunable_categories()}
    return Schema.from_dict(declared, name="EmailPreferencesSchema")()
