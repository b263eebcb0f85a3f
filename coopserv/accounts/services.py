"""The one place that writes accounts and memberships."""
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError
from sqlalchemy import func, select

from coopserv.accounts.models import (
    ACTIVE,
    EMPLOYEE,
    PENDING,
    SERVICE_OPERATOR,
    Membership,
    User,
)
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.notifications.services import notify
from coopserv.security import check_password_in_constant_time
from coopserv.organizations.models import Organization

RESET_SALT = "coopserv-password-reset"


def find_user_by_email(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(name, email, password, platform_admin=False, language=None, password_hash=None):
    """Create an account; refuses an email already used (field error on ``email``).

    ``password_hash`` is for demo accounts sharing one published password (coopserv.demo_accounts).
    """
    if find_user_by_email(email) is not None:
        raise ValidationError({"email": [_("An account already uses this email address.")]})
    user = User(name=name.strip(), email=email.strip().lower(), is_platform_admin=platform_admin, language=language)
    if password_hash is None:
        user.set_password(password)
    else:
        user.password_hash = password_hash
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email, password):
    """Return the user when the password matches, else None (same answer for unknown emails)."""
    user = find_user_by_email(email)
    # An unknown address costs one hash check too, so timing does not tell which accounts exist.
    if not check_password_in_constant_time(user, password):
        return None
    return user


def end_sessions(user):
    """End every session of ``user`` (sign-out): copies of the session cookie stop working."""
    user.end_sessions()
    db.session.commit()


def sign_up(territory, data):
    """Create an account in ``territory``: active with a valid invitation code, pending otherwise."""
    organization = None
    code = (data.get("invitation_code") or "").strip().upper()
    if code:
        organization = db.session.scalar(select(Organization).filter_by(invitation_code=code))
        if organization is None:
            raise ValidationError({"invitation_code": [_("This invitation code is not valid here.")]})
    user = create_user(data["name"], data["email"], data["password"])
    membership = Membership(
        user_id=user.id,
        role=EMPLOYEE,
        organization_id=organization.id if organization else None,
        status=ACTIVE if organization else PENDING,
    )
    db.session.add(membership)
    if organization is None:
        record("membership.requested", user.email, actor=user, organization_name=data.get("organization_name", ""))
    db.session.commit()
    return user, membership


def invite_to_organization(organization, addresses, inviter=None, message=""):
    """Invite each address to join ``organization`` as an employee; return (sent, skipped).

    The invitations are the tracked ones of ``coopserv.invitations`` (listed,
    resent or revoked on the members page), e-mailed through the mail layer
    with ``message`` as a personal note. People already in the territory are
    skipped, and so are addresses that opted out of invitations.
    """
    from coopserv.accounts.models import EMPLOYEE
    from coopserv.invitations import services as invitations

    members = {email for (email,) in db.session.execute(
        select(func.lower(User.email)).join(Membership, Membership.user_id == User.id)
        .where(func.lower(User.email).in_(addresses)))}
    sent, skipped = [], []
    for address in addresses:
        if address in members:
            skipped.append(address)
            continue
        invitation = invitations.invite({"email": address, "role": EMPLOYEE, "organization_id": organization.id},
                                        invited_by=inviter, note=message)
        (sent if invitation.sent_at is not None else skipped).append(address)
    record("membership.invited", organization.name, actor=inviter, sent=len(sent), skipped=len(skipped))
    db.session.commit()
    return sent, skipped


def approve_membership(membership, organization_id):
    """Activate a pending sign-up, attaching the person to an organization of the territory."""
    organization = db.session.get(Organization, organization_id) if organization_id else None
    if organization is None or organization.territory_id != membership.territory_id:
        raise ValidationError({"organization_id": [_("Choose an organization of this territory.")]})
    membership.status = ACTIVE
    membership.organization_id = organization.id
    record("membership.approved", membership.user.email, organization=organization.name)
    notify(membership.user_id, _l("Your membership was approved: welcome!"))
    db.session.commit()
    return membership


def grant_role(user, role, organization_id=None, module_id=None):
    """Give ``user`` a role in the current territory (idempotent)."""
    if role != SERVICE_OPERATOR:
        module_id = None
    existing = db.session.scalar(select(Membership).filter_by(user_id=user.id, role=role, module_id=module_id))
    if existing is not None:
        existing.status = ACTIVE
        if organization_id:
            existing.organization_id = organization_id
        db.session.commit()
        return existing
    membership = Membership(user_id=user.id, role=role, organization_id=organization_id, module_id=module_id)
    db.session.add(membership)
    record("membership.role_granted", user.email, role=role, module_id=module_id, organization_id=organization_id)
    db.session.commit()
    return membership


def revoke_membership(membership):
    """Remove one role from a member of the current territory."""
    record("membership.role_revoked", membership.user.email, role=membership.role, module_id=membership.module_id)
    db.session.delete(membership)
    db.session.commit()


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user):
    """A signed token bound to the current password hash, so it works once."""
    return _serializer().dumps({"user": user.id, "pw": user.password_hash[-12:]})


def user_from_reset_token(token):
    """Return the user a valid, unexpired, unused token names, or None."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("user"))
    if user is None or user.password_hash[-12:] != data.get("pw"):
        return None
    return user


def send_reset_mail(email, territory_slug=None):
    """Mail a reset link (by a job) when the address has an account; say nothing either way."""
    from coopserv.emails.categories import SECURITY
    from coopserv.emails.services import send_email
    from coopserv.urls import target

    user = find_user_by_email(email)
    if user is None:
        return None
    token = make_reset_token(user)
    outcome = send_email(user, SECURITY, "emails/password_reset.html", territory=None,
                         link_to=target("accounts.reset_password", token=token), name=user.name)
    db.session.commit()
    return outcome


def reset_password(user, password):
    user.set_password(password)
    db.session.commit()


def home_territory_slug(user):
    """The slug of the one territory where ``user`` holds an active role, or None (none, or several)."""
    from coopserv.tenancy import ALL_TERRITORIES
    from coopserv.territories.models import Territory

    slugs = db.session.scalars(
        select(Territory.slug).join(Membership, Membership.territory_id == Territory.id)
        .where(Membership.user_id == user.id, Membership.status == ACTIVE).distinct().limit(2)
        .execution_options(**{ALL_TERRITORIES: True})).all()
    return slugs[0] if len(slugs) == 1 else None
def change_password(user, current_password, new_password):
    """Check the current password, store the new one, end every other session; False if it was wrong."""
    if not user.check_password(current_password):
        return False
    user.set_password(new_password)
    db.session.commit()
    return True
