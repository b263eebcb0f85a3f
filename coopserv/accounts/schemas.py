"""Input schemas for accounts: sign-up, sign-in, password reset, roles."""
import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from marshmallow import ValidationError, fields, validates_schema

from coopserv.accounts.models import ROLES
from coopserv.schemas import Schema, length, one_of

PASSWORD_MIN_LENGTH = 10


class SignInSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True)


class PasswordSchema(Schema):
    password = fields.String(required=True, validate=length(min=PASSWORD_MIN_LENGTH, max=200))
    password_confirm = fields.String(required=True)

    @validates_schema
    def _passwords_match(self, data, **kwargs):
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            raise ValidationError(_l("The two passwords differ."), "password_confirm")


class PasswordChangeSchema(PasswordSchema):
    """A signed-in person changes their password: the current one proves it is them."""

    current_password = fields.String(required=True, validate=length(max=200))


class SignUpSchema(PasswordSchema):
    name = fields.String(required=True, validate=length(min=2, max=120))
    email = fields.Email(required=True, validate=length(max=254))
    invitation_code = fields.String(validate=length(max=16))
    #: Without an invitation code, the organization the person says they work for.
    organization_name = fields.String(validate=length(max=160))


class InvitationSchema(Schema):
    """Addresses to invite into one organization: pasted one per line (or separated by commas), or imported."""

    addresses = fields.String(required=True, validate=length(min=3, max=20000))
    #: A personal note shown in the message.
    message = fields.String(load_default="", validate=length(max=500))

    @validates_schema
    def _addresses_are_emails(self, data, **kwargs):
        addresses = split_addresses(data.get("addresses", ""))
        bad = [address for address in addresses if not EMAIL.match(address)]
        if bad:
            raise ValidationError(_l("These are not e-mail addresses: %(addresses)s", addresses=", ".join(bad[:5])),
                                  "addresses")
        if not addresses:
            raise ValidationError(_l("Give at least one e-mail address."), "addresses")
        if len(addresses) > MAX_INVITATIONS:
            raise ValidationError(lazy_ngettext("At most %(num)d address at a time.", "At most %(num)d addresses at a time.",
                                                MAX_INVITATIONS), "addresses")


#: How many people one form or import invites at most (each is one message).
MAX_INVITATIONS = 200
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def split_addresses(text):
    """The distinct addresses of a pasted list (lines, commas, semicolons), lower-cased, in order."""
    seen = []
    for part in re.split(r"[\s,;]+", text or ""):
        address = part.strip().strip("<>").lower()
        if address and address not in seen:
            seen.append(address)
    return seen


class PasswordResetRequestSchema(Schema):
    email = fields.Email(required=True)


class UserCreateSchema(Schema):
    """Used by `coopserv user create` and the platform admin."""

    name = fields.String(required=True, validate=length(min=2, max=120))
    email = fields.Email(required=True, validate=length(max=254))
    password = fields.String(required=True, validate=length(min=PASSWORD_MIN_LENGTH, max=200))
    platform_admin = fields.Boolean(load_default=False)


class RoleGrantSchema(Schema):
    """A territory admin gives a member a role (operators name their module)."""

    role = fields.String(required=True, validate=one_of(ROLES))
    organization_id = fields.Integer()
    module_id = fields.Integer()

    @validates_schema
    def _operator_needs_module(self, data, **kwargs):
        if data.get("role") == "service_operator" and not data.get("module_id"):
            raise ValidationError(_l("Choose the service this operator works on."), "module_id")
