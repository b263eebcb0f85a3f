"""The one place that writes invitations: invite one or many, send, resend, revoke, accept.

Links are signed with the app's secret and carry the invitation id and a nonce
stored on the row: changing the nonce (resend, revoke) kills older links, and
the row's ``expires_at`` bounds a link's life.
"""
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import ValidationError
from sqlalchemy import func, insert, select, update

from coopserv.accounts.models import ACTIVE, ROLES, Membership
from coopserv.accounts.services import create_user, find_user_by_email
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.organizations.models import Organization
from coopserv.tenancy import current_territory
from coopserv.timeutil import local_date_of, utcnow

from .models import ACCEPTED, FROM_ADMIN, PENDING, REVOKED, Invitation

SALT = "coopserv-invitation"
#: Rows per IN (...) list: far below every backend's limit on bound parameters.
CHUNK = 500
#: Invitations marked sent per transaction when many go out at once.
COMMIT_EVERY = 50


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _new_nonce():
    return secrets.token_hex(8)


def _expiry(now):
    return now + timedelta(days=current_app.config["INVITATION_VALID_DAYS"])


def chunks(values, size=CHUNK):
    """Split a list into slices of at most ``size`` items (for IN lists)."""
    values = list(values)
    return [values[index:index + size] for index in range(0, len(values), size)]


def get_invitation(invitation_id):
    return db.session.scalar(select(Invitation).filter_by(id=invitation_id))


def list_invitations(status=None, limit=None, offset=0, organization_id=None):
    query = select(Invitation).order_by(Invitation.id.desc())
    if status:
        query = query.filter_by(status=status)
    if organization_id:
        query = query.filter_by(organization_id=organization_id)
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def _check_organization(organization_id):
    if organization_id and db.session.scalar(select(Organization.id).filter_by(id=organization_id)) is None:
        raise ValidationError({"organization_id": [_("Choose an organization of this territory.")]})


def invite(data, invited_by=None, source=FROM_ADMIN, send=True, note=""):
    """Invite one person (validated data); inviting the same address again refreshes their invitation.

    ``note`` is a personal word added to the e-mail.
    """
    _check_organization(data.get("organization_id"))
    email = data["email"].strip().lower()
    user = find_user_by_email(email)
    if user is not None and db.session.scalar(
            select(Membership.id).filter_by(user_id=user.id, role=data["role"], status=ACTIVE)) is not None:
        raise ValidationError({"email": [_("This person already has this role here.")]})
    now = utcnow()
    values = {"role": data["role"], "organization_id": data.get("organization_id"), "status": PENDING,
              "nonce": _new_nonce(), "source": source, "invited_by_id": invited_by.id if invited_by else None,
              "expires_at": _expiry(now), "sent_at": None, "revoked_at": None}
    invitation = db.session.scalar(select(Invitation).filter_by(email=email))
    if invitation is None:
        invitation = Invitation(email=email, created_at=now, name=data.get("name") or "", **values)
        db.session.add(invitation)
    else:
        invitation.name = data.get("name") or invitation.name
        for key, value in values.items():
            setattr(invitation, key, value)
    db.session.flush()
    record("invitation.created", email, actor=invited_by, role=invitation.role, source=source)
    db.session.commit()
    if send:
        send_invitation(invitation, note)
    return invitation


def invite_many(rows, invited_by=None, source=FROM_ADMIN):
    """Invite many people at once, set-based (imports): one read and at most two writes per 500 addresses.

    ``rows`` are dicts with ``email`` (lower-case), ``name``, ``role`` and
    ``organization_id``, already validated by the caller. Existing invitations
    are refreshed (new link, pending, not yet sent). Does not commit and sends
    nothing: the caller commits, then calls ``send_pending``. Returns the
    number of invitations written.
    """
    territory_id = current_territory().id
    emails = [row["email"] for row in rows]
    existing = {}
    for part in chunks(emails):
        existing.update(db.session.execute(select(Invitation.email, Invitation.id)
                                           .where(Invitation.email.in_(part))).all())
    now = utcnow()
    common = {"status": PENDING, "source": source, "invited_by_id": invited_by.id if invited_by else None,
              "expires_at": _expiry(now), "sent_at": None, "revoked_at": None}
    inserts = [{**common, "territory_id": territory_id, "email": row["email"], "name": row.get("name") or "",
                "role": row["role"], "organization_id": row.get("organization_id"), "nonce": _new_nonce(),
                "created_at": now, "send_count": 0}
               for row in rows if row["email"] not in existing]
    updates = [{**common, "id": existing[row["email"]], "name": row.get("name") or "", "role": row["role"],
                "organization_id": row.get("organization_id"), "nonce": _new_nonce()}
               for row in rows if row["email"] in existing]
    if inserts:
        db.session.execute(insert(Invitation), inserts)
    if updates:
        db.session.execute(update(Invitation), updates)
    return len(inserts) + len(updates)


def token_for(invitation):
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def link_for(invitation):
    """The absolute link the invited person follows; outside a web request (CLI, jobs) it starts with PUBLIC_URL
    (or the territory's own host name), like every link coopserv e-mails."""
    from coopserv.territories.models import Territory
    from coopserv.urls import external_url

    territory = db.session.get(Territory, invitation.territory_id)
    if has_request_context():
        return url_for("invitations.accept", territory_slug=territory.slug, token=token_for(invitation),
                       _external=True)
    return external_url("invitations.accept", territory, token=token_for(invitation))


def from_token(token):
    """Return (invitation, problem): problem is None, "invalid", "expired", "revoked" or "accepted"."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None, "invalid"
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None, "invalid"
    invitation = get_invitation(data["i"])
    if invitation is None or invitation.nonce != data.get("n"):
        return None, "invalid"
    if invitation.status == REVOKED:
        return invitation, "revoked"
    if invitation.status == ACCEPTED:
        return invitation, "accepted"
    if invitation.expired():
        return invitation, "expired"
    return invitation, None


def role_label(role):
    """The role as the invitation e-mail and page name it."""
    labels = {"employee": lazy_gettext("employee"), "company_referent": lazy_gettext("company referent"),
              "governance_member": lazy_gettext("steering committee member"),
              "territory_admin": lazy_gettext("territory administrator"),
              "service_operator": lazy_gettext("service operator")}
    return labels.get(role, role)


def _send(invitation, territory, note=""):
    """Hand the invitation to the mail layer (text and HTML parts, the territory's colours, sent after commit)."""
    from coopserv.accounts.models import User
    from coopserv.emails.services import send_invitation_email

    organization = db.session.get(Organization, invitation.organization_id) if invitation.organization_id else None
    inviter = db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    return send_invitation_email(invitation.email, territory, link_for(invitation), message=note,
                          inviter_name=inviter.name if inviter else "",
                          organization_name=organization.name if organization else "",
                          expires_on=local_date_of(invitation.expires_at, territory))


def _territory_of(invitation):
    from coopserv.territories.models import Territory

    return db.session.get(Territory, invitation.territory_id)


def send_invitation(invitation, note=""):
    """E-mail the link (unless the address opted out of invitations) and note when it was sent."""
    territory = _territory_of(invitation)
    if _send(invitation, territory, note) == "skipped":
        return
    invitation.sent_at = utcnow()
    invitation.send_count += 1
    db.session.commit()


def unsent_count():
    return db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.status == PENDING, Invitation.sent_at.is_(None), Invitation.expires_at > utcnow())) or 0


def send_pending(limit=None):
    """Send the pending invitations of the current territory not sent yet, oldest first; return how many.

    This is the unit of work a job runner calls after an import; ``limit``
    keeps one web request short. Rows are marked sent every 50 messages, so a
    crash re-sends at most that many.
    """
    query = (select(Invitation).where(Invitation.status == PENDING, Invitation.sent_at.is_(None),
                                      Invitation.expires_at > utcnow()).order_by(Invitation.id))
    if limit:
        query = query.limit(limit)
    invitations = db.session.scalars(query).all()
    if not invitations:
        return 0
    territory = _territory_of(invitations[0])
    sent = []
    for invitation in invitations:
        _send(invitation, territory)
        sent.append(invitation.id)
        if len(sent) % COMMIT_EVERY == 0:
            _mark_sent(sent[-COMMIT_EVERY:])
    _mark_sent(sent[len(sent) - len(sent) % COMMIT_EVERY:])
    return len(sent)


def _mark_sent(ids):
    if ids:
        db.session.execute(update(Invitation).where(Invitation.id.in_(ids))
                           .values(sent_at=utcnow(), send_count=Invitation.send_count + 1)
                           .execution_options(synchronize_session=False))
        db.session.commit()


def resend(invitation, actor=None):
    """Send a fresh link (older ones stop working) and push the expiry back."""
    if invitation.status != PENDING:
        raise ValidationError({"_schema": [_("Only an invitation waiting for an answer is sent again.")]})
    invitation.nonce = _new_nonce()
    invitation.expires_at = _expiry(utcnow())
    record("invitation.resent", invitation.email, actor=actor)
    send_invitation(invitation)
    return invitation


def revoke(invitation, actor=None):
    """Withdraw an invitation: its link stops working at once."""
    if invitation.status != PENDING:
        raise ValidationError({"_schema": [_("Only an invitation waiting for an answer can be revoked.")]})
    invitation.status = REVOKED
    invitation.revoked_at = utcnow()
    invitation.nonce = _new_nonce()
    record("invitation.revoked", invitation.email, actor=actor)
    db.session.commit()
    return invitation


def accept(invitation, user):
    """Give ``user`` (whose address is the invited one) the invited role, active at once."""
    if user.email.lower() != invitation.email:
        raise ValidationError({"_schema": [_("This invitation was sent to another address.")]})
    if invitation.role not in ROLES:
        raise ValidationError({"_schema": [_("This invitation is no longer valid.")]})
    membership = db.session.scalar(select(Membership).filter_by(user_id=user.id, role=invitation.role,
                                                                module_id=None))
    if membership is None:
        membership = Membership(user_id=user.id, role=invitation.role)
        db.session.add(membership)
    membership.status = ACTIVE
    membership.organization_id = invitation.organization_id or membership.organization_id
    invitation.status = ACCEPTED
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    record("invitation.accepted", invitation.email, actor=user, role=invitation.role)
    db.session.commit()
    return membership


def accept_with_new_account(invitation, data):
    """Create the invited person's account (name, password) and accept in one transaction."""
    if find_user_by_email(invitation.email) is not None:
        raise ValidationError({"_schema": [_("An account already uses this address: sign in to accept.")]})
    user = create_user(data["name"], invitation.email, data["password"])
    accept(invitation, user)
    return user
