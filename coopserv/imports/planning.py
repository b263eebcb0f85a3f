"""Decide what each valid line would do, from a snapshot of what the territory already holds.

Pure functions: the same plan is computed at preview and again when applying
(the territory may have changed in between), and tested without a database.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from coopserv.accounts.models import ACTIVE, COMPANY_REFERENT, EMPLOYEE
from coopserv.invitations.models import PENDING
from coopserv.organizations.models import size_band_for

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
INVITE = "invite"
GRANT = "grant"
ACTIONS = (CREATE, UPDATE, UNCHANGED, INVITE, GRANT)

#: Line field -> organization column.
ORGANIZATION_COLUMNS = {"name": "name", "siret": "siret", "headcount": "employee_count", "sector": "sector",
                        "address": "address", "kind": "kind", "business_park": "business_park"}


@dataclass
class Step:
    line: int
    action: str
    #: Column values to write (create: all of them; update: what changes).
    values: dict
    #: The row written (update, unchanged, grant of an existing membership), when there is one.
    target_id: int | None = None
    label: str = ""


@dataclass
class Plan:
    steps: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def error(self, line, field_name, message):
        self.errors.append({"line": line, "field": field_name, "message": str(message)})

    def counts(self):
        counts = {action: 0 for action in ACTIONS}
        for step in self.steps:
            counts[step.action] += 1
        counts["errors"] = len({e["line"] for e in self.errors})
        return counts

    def of(self, action):
        return [step for step in self.steps if step.action == action]


def plan_organizations(rows, existing):
    """``rows``: [(line, data)]; ``existing``: dicts of the territory's organizations (id and columns)."""
    plan = Plan()
    by_siret = {o["siret"]: o for o in existing if o.get("siret")}
    by_name = {o["name"].lower(): o for o in existing}
    seen_siret, seen_name = {}, {}
    for line, data in rows:
        name_key = data["name"].lower()
        siret = data.get("siret")
        if siret and siret in seen_siret:
            plan.error(line, "siret", _("This SIRET is already on line %(line)s.", line=seen_siret[siret]))
            continue
        if name_key in seen_name:
            plan.error(line, "name", _("This name is already on line %(line)s.", line=seen_name[name_key]))
            continue
        target = by_siret.get(siret) if siret else None
        if target is None:
            target = by_name.get(name_key)
            if target is not None and siret and target.get("siret") and target["siret"] != siret:
                plan.error(line, "name", _("An organization of this name already exists with another SIRET."))
                continue
        elif name_key != target["name"].lower() and by_name.get(name_key) not in (None, target):
            plan.error(line, "name", _("Another organization of the territory already has this name."))
            continue
        if siret:
            seen_siret[siret] = line
        seen_name[name_key] = line
        values = {ORGANIZATION_COLUMNS[key]: value for key, value in data.items() if key in ORGANIZATION_COLUMNS}
        if "employee_count" in values:
            values["size_band"] = size_band_for(values["employee_count"])
        if target is None:
            plan.steps.append(Step(line, CREATE, values, label=data["name"]))
            continue
        changes = {column: value for column, value in values.items() if target.get(column) != value}
        plan.steps.append(Step(line, UPDATE if changes else UNCHANGED, changes, target["id"], data["name"]))
    return plan


@dataclass
class MemberSnapshot:
    """What the territory holds about the addresses of a members file."""

    organizations_by_name: dict
    organizations_by_siret: dict
    #: e-mail -> user id, for addresses that have an account.
    users: dict
    #: (user id, role) -> (membership id, organization id, status).
    memberships: dict
    #: Users with at least one active role in the territory.
    members: set
    #: e-mail -> (invitation id, status, role, organization id).
    invitations: dict


def plan_members(rows, snapshot):
    """Grant roles to people already in the territory; invite everybody else (once)."""
    plan = Plan()
    seen = {}
    for line, data in rows:
        email = data["email"]
        if email in seen:
            plan.error(line, "email", _("This address is already on line %(line)s.", line=seen[email]))
            continue
        organization_id = None
        reference = data.get("organization")
        if reference:
            organization_id = (snapshot.organizations_by_siret.get(reference)
                               or snapshot.organizations_by_name.get(reference.lower()))
            if organization_id is None:
                plan.error(line, "organization", _("No organization of the territory has this name or SIRET."))
                continue
        elif data["role"] in (EMPLOYEE, COMPANY_REFERENT):
            plan.error(line, "organization", _("Name the organization of an employee or a company referent."))
            continue
        seen[email] = line
        role = data["role"]
        values = {"email": email, "name": data["name"], "role": role, "organization_id": organization_id}
        user_id = snapshot.users.get(email)
        membership = snapshot.memberships.get((user_id, role)) if user_id else None
        if membership is not None:
            membership_id, current_organization, status = membership
            if status == ACTIVE and (organization_id is None or organization_id == current_organization):
                plan.steps.append(Step(line, UNCHANGED, {}, membership_id, email))
            else:
                changes = {"status": ACTIVE, "organization_id": organization_id or current_organization}
                plan.steps.append(Step(line, UPDATE, changes, membership_id, email))
            continue
        if user_id is not None and user_id in snapshot.members:
            plan.steps.append(Step(line, GRANT, {**values, "user_id": user_id}, label=email))
            continue
        invitation = snapshot.invitations.get(email)
        if invitation is not None and invitation[1] == PENDING and invitation[2:] == (role, organization_id):
            plan.steps.append(Step(line, UNCHANGED, {}, invitation[0], email))
            continue
        plan.steps.append(Step(line, INVITE, values, label=email))
    return plan
