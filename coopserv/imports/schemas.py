"""What one line of an import must hold; each field error is reported with its line number."""
import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, pre_load, validates

from coopserv.accounts.models import COMPANY_REFERENT, EMPLOYEE, GOVERNANCE_MEMBER
from coopserv.organizations.models import ORGANIZATION_KINDS
from coopserv.schemas import Schema, Text, between, length, one_of

#: Roles an import may give; administrators and operators are named one by one in the portal.
IMPORT_ROLES = (EMPLOYEE, COMPANY_REFERENT, GOVERNANCE_MEMBER)
ROLE_ALIASES = {
    "employee": EMPLOYEE, "salarie": EMPLOYEE, "salariee": EMPLOYEE, "employe": EMPLOYEE, "employee_e": EMPLOYEE,
    "company_referent": COMPANY_REFERENT, "referent": COMPANY_REFERENT, "referente": COMPANY_REFERENT,
    "referent_entreprise": COMPANY_REFERENT, "referent_rh": COMPANY_REFERENT, "rh": COMPANY_REFERENT,
    "governance_member": GOVERNANCE_MEMBER, "membre_du_comite": GOVERNANCE_MEMBER, "comite": GOVERNANCE_MEMBER,
    "comite_de_pilotage": GOVERNANCE_MEMBER, "committee": GOVERNANCE_MEMBER, "committee_member": GOVERNANCE_MEMBER,
}
KIND_ALIASES = {
    "company": "company", "entreprise": "company", "societe": "company",
    "local_authority": "local_authority", "collectivite": "local_authority", "commune": "local_authority",
    "communaute_de_communes": "local_authority", "association": "association",
}
MAX_HEADCOUNT = 1_000_000
_SPACES = re.compile(r"[\s\u00a0\u202f.]")


def _alias(value, aliases):
    from .parsing import normalise_header

    return aliases.get(normalise_header(value), value) if isinstance(value, str) else value


class OrganizationRowSchema(Schema):
    """A line of an organizations file; absent cells leave an existing organization's value alone."""

    name = Text(required=True, validate=length(min=2, max=160))
    siret = fields.String()
    headcount = fields.Integer(validate=between(0, MAX_HEADCOUNT))
    sector = Text(validate=length(max=120))
    address = Text(multiline=True, validate=length(max=300))
    kind = fields.String(validate=one_of(ORGANIZATION_KINDS))
    business_park = Text(validate=length(max=120))

    @pre_load
    def _normalise(self, data, **kwargs):
        data = dict(data)
        if isinstance(data.get("siret"), str):
            data["siret"] = _SPACES.sub("", data["siret"])
        if isinstance(data.get("headcount"), str):
            data["headcount"] = _SPACES.sub("", data["headcount"])
        if "kind" in data:
            data["kind"] = _alias(data["kind"], KIND_ALIASES)
        return data

    @validates("siret")
    def _siret(self, value, **kwargs):
        if not re.fullmatch(r"[0-9]{14}", value):
            raise ValidationError(_l("A SIRET has exactly 14 digits."))


class MemberRowSchema(Schema):
    """A line of a members file; the organization is named by its name or its SIRET."""

    email = fields.Email(required=True, validate=length(max=254))
    name = Text(required=True, validate=length(min=2, max=120))
    organization = Text(validate=length(max=160))
    role = fields.String(load_default=EMPLOYEE, validate=one_of(IMPORT_ROLES))

    @pre_load
    def _normalise(self, data, **kwargs):
        data = dict(data)
        if not data.get("name"):
            full = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
            if full:
                data["name"] = full
        data.pop("first_name", None)
        data.pop("last_name", None)
        if isinstance(data.get("email"), str):
            data["email"] = data["email"].strip().lower()
        if "role" in data:
            data["role"] = _alias(data["role"], ROLE_ALIASES)
        return data
