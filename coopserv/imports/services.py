"""The one place that writes imports: preview a file (nothing else written), apply it once, set-based.

Costs do not grow line by line: a preview reads the territory's
organizations in one query and the file's addresses in one query per 500;
applying writes with one INSERT or UPDATE statement per kind of change
(executemany), whatever the number of lines.
"""
from datetime import timedelta

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import delete, func, insert, select, update

from coopserv.accounts.models import ACTIVE, Membership, User
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.invitations import services as invitations
from coopserv.invitations.models import FROM_IMPORT, PENDING, Invitation
from coopserv.organizations.models import Organization, new_invitation_code
from coopserv.tenancy import current_territory
from coopserv.timeutil import utcnow

from . import parsing, planning
from .models import APPLIED, PREVIEWED, ImportBatch
from .schemas import MemberRowSchema, OrganizationRowSchema

ROW_SCHEMAS = {parsing.ORGANIZATIONS: OrganizationRowSchema, parsing.MEMBERS: MemberRowSchema}
#: Previews nobody confirmed are dropped after this long.
STALE_AFTER = timedelta(days=2)


class AlreadyApplied(Exception):
    """Raised when a batch is applied a second time."""


def get_batch(batch_id):
    return db.session.scalar(select(ImportBatch).filter_by(id=batch_id))


def recent_batches(limit=10):
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def _validate(kind, parsed):
    """Check every line with the kind's schema: (valid [(line, data)], errors)."""
    schema = ROW_SCHEMAS[kind]()
    valid, errors = [], []
    for line, cells in parsed.rows:
        try:
            valid.append((line, schema.load(cells)))
        except ValidationError as error:
            for field_name, messages in sorted(error.messages.items()):
                for message in messages if isinstance(messages, list) else [messages]:
                    errors.append({"line": line, "field": field_name, "message": str(message)})
    return valid, errors


def preview(kind, raw, filename="", actor=None):
    """Read and check a file, and store what applying it would do; nothing else is written."""
    parsed = parsing.parse(kind, raw)
    valid, errors = _validate(kind, parsed)
    plan = _plan(kind, valid)
    actions = {step.line: step.action for step in plan.steps}
    db.session.execute(delete(ImportBatch).where(ImportBatch.status == PREVIEWED,
                                                 ImportBatch.created_at < utcnow() - STALE_AFTER))
    batch = ImportBatch(kind=kind, filename=(filename or "")[:200], encoding=parsed.encoding,
                        delimiter=parsed.delimiter, line_count=len(parsed.rows),
                        rows=[{"line": line, "data": data, "action": actions.get(line)} for line, data in valid],
                        errors=sorted(errors + plan.errors, key=lambda e: (e["line"], e["field"])),
                        summary=plan.counts(), created_by_id=actor.id if actor else None)
    batch.summary["errors"] = len({e["line"] for e in batch.errors})
    db.session.add(batch)
    db.session.commit()
    return batch


def _plan(kind, valid):
    if kind == parsing.ORGANIZATIONS:
        return planning.plan_organizations(valid, _organization_snapshot())
    return planning.plan_members(valid, _member_snapshot([data["email"] for _line, data in valid]))


def _organization_snapshot():
    columns = [Organization.id, *(getattr(Organization, c) for c in planning.ORGANIZATION_COLUMNS.values()),
               Organization.size_band]
    return [row._asdict() for row in db.session.execute(select(*columns))]


def _member_snapshot(emails):
    organizations = db.session.execute(select(Organization.id, Organization.name, Organization.siret)).all()
    users, memberships, members, invitation_rows = {}, {}, set(), {}
    now = utcnow()
    for part in invitations.chunks(sorted(set(emails))):
        users.update(db.session.execute(select(func.lower(User.email), User.id)
                                        .where(func.lower(User.email).in_(part))).all())
        for row in db.session.execute(select(Invitation.email, Invitation.id, Invitation.status, Invitation.role,
                                             Invitation.organization_id, Invitation.expires_at)
                                      .where(Invitation.email.in_(part))):
            status = "expired" if row.status == PENDING and row.expires_at <= now else row.status
            invitation_rows[row.email] = (row.id, status, row.role, row.organization_id)
    for part in invitations.chunks(sorted(users.values())):
        for row in db.session.execute(select(Membership.id, Membership.user_id, Membership.role,
                                             Membership.organization_id, Membership.status)
                                      .where(Membership.user_id.in_(part), Membership.module_id.is_(None))):
            memberships[(row.user_id, row.role)] = (row.id, row.organization_id, row.status)
            if row.status == ACTIVE:
                members.add(row.user_id)
    return planning.MemberSnapshot(
        organizations_by_name={o.name.lower(): o.id for o in organizations},
        organizations_by_siret={o.siret: o.id for o in organizations if o.siret},
        users=users, memberships=memberships, members=members, invitations=invitation_rows)


def apply(batch, actor=None):
    """Write the batch's valid lines in one transaction, set-based; return the counts.

    The plan is computed again against the territory as it is now, so a file
    applied after someone else's import still neither duplicates nor
    overwrites more than it says. Lines with errors are left out. New members
    get invitations, sent afterwards by ``invitations.send_pending``.
    """
    if batch.status == APPLIED:
        raise AlreadyApplied()
    plan = _plan(batch.kind, [(row["line"], row["data"]) for row in batch.rows])
    if batch.kind == parsing.ORGANIZATIONS:
        _apply_organizations(plan)
    else:
        _apply_members(plan, actor)
    counts = plan.counts()
    counts["errors"] = len({e["line"] for e in batch.errors} | {e["line"] for e in plan.errors})
    batch.result = counts
    batch.status = APPLIED
    batch.applied_at = utcnow()
    batch.rows = []
    record("import.applied", batch.kind, actor=actor, batch=batch.id,
           **{key: value for key, value in counts.items() if value})
    db.session.commit()
    return counts


def _apply_organizations(plan):
    territory_id = current_territory().id
    now = utcnow()
    creates = [{"territory_id": territory_id, "name": step.values["name"], "kind": "company", "siret": None,
                "employee_count": 0, "size_band": "1-9", "sector": "", "business_park": "", "address": "",
                "created_at": now, "invitation_code": new_invitation_code(), **step.values}
               for step in plan.of(planning.CREATE)]
    if creates:
        db.session.execute(insert(Organization), creates)
    _update_by_id(Organization, plan.of(planning.UPDATE))


def _update_by_id(model, steps):
    """One executemany UPDATE per set of changed columns (rows changing the same columns go together)."""
    groups = {}
    for step in steps:
        groups.setdefault(tuple(sorted(step.values)), []).append({"id": step.target_id, **step.values})
    for rows in groups.values():
        db.session.execute(update(model), rows)


def _apply_members(plan, actor):
    territory_id = current_territory().id
    now = utcnow()
    grants = [{"territory_id": territory_id, "user_id": step.values["user_id"], "role": step.values["role"],
               "organization_id": step.values["organization_id"], "status": ACTIVE, "module_id": None,
               "created_at": now} for step in plan.of(planning.GRANT)]
    if grants:
        db.session.execute(insert(Membership), grants)
    _update_by_id(Membership, plan.of(planning.UPDATE))
    invites = [step.values for step in plan.of(planning.INVITE)]
    if invites:
        invitations.invite_many(invites, invited_by=actor, source=FROM_IMPORT)


def discard(batch, actor=None):
    """Drop a preview nobody wants to apply."""
    if batch.status == APPLIED:
        raise AlreadyApplied()
    db.session.delete(batch)
    record("import.discarded", batch.kind, actor=actor, batch=batch.id)
    db.session.commit()


def example_csv(kind):
    """A small file showing the expected columns, in the separator French spreadsheets use."""
    if kind == parsing.ORGANIZATIONS:
        lines = ["Nom;SIRET;Effectif;Secteur;Adresse;Type",
                 "Atelier Dupont;12345678901234;22;Menuiserie;12 rue du Pont, 46100 Figeac;entreprise"]
    else:
        lines = ["E-mail;Nom;Organisation;Rôle",
                 "camille.martin@example.org;Camille Martin;Atelier Dupont;salarié",
                 "lou.bernard@example.org;Lou Bernard;12345678901234;référent"]
    return "\r\n".join(lines) + "\r\n"


def role_name(role):
    names = {"employee": _("employee"), "company_referent": _("company referent"),
             "governance_member": _("steering committee member")}
    return names.get(role, role)
