"""Create, find and revoke personal access tokens (a territory's) and platform operators' tokens."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.timeutil import utcnow
from coopserv.tokens.models import AccessToken, PlatformToken

#: How precisely a token's last use is recorded (shown to its owner as a date and time).
LAST_USE_PRECISION = timedelta(minutes=1)

TOKEN_PREFIX = "cps_"
#: Platform tokens look different, so a script (or a scanner) tells them from a territory's.
PLATFORM_TOKEN_PREFIX = "cpp_"


def digest(secret):
    """The stored form of a token secret (SHA-256: secrets are long and random)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix=TOKEN_PREFIX):
    """A fresh token secret, starting with ``prefix`` so people and scanners can tell what it is."""
    return prefix + secrets.token_urlsafe(32)


def create_token(user, territory, name, read_only=False):
    """Create a token for ``user`` in ``territory``; return (token row, secret shown once)."""
    secret = new_secret()
    token = AccessToken(user_id=user.id, territory_id=territory.id, name=name, token_hash=digest(secret),
                        prefix=secret[:10], read_only=read_only)
    db.session.add(token)
    record("token.created", name, actor=user, read_only=read_only)
    db.session.commit()
    return token, secret


def user_tokens(user):
    """The person's tokens in the current territory, newest first."""
    return list(db.session.scalars(
        select(AccessToken).filter_by(user_id=user.id).order_by(AccessToken.id.desc())
    ))


def revoke_token(token, actor):
    token.revoked_at = utcnow()
    record("token.revoked", token.name, actor=actor)
    db.session.commit()


def authenticate(secret):
    """Return the active token matching ``secret`` (any territory), or None; note its use."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(AccessToken).filter_by(token_hash=digest(secret)).execution_options(**{ALL_TERRITORIES: True})
    )
    if token is None or not token.active:
        return None
    _note_use(token)
    return token


def _note_use(token):
    """Record a token's use at most once a minute: scripts call often, and the commit would reload rows."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        token.last_used_at = now
        db.session.commit()


# -- platform operators' tokens -------------------------------------------------------------------
class NotAPlatformOperator(Exception):
    """Only platform operators hold platform tokens."""


def create_platform_token(user, name, read_only=False):
    """Create a platform token for a platform operator; return (token row, secret shown once)."""
    if not user.is_platform_admin:
        raise NotAPlatformOperator(user.email)
    secret = new_secret(PLATFORM_TOKEN_PREFIX)
    token = PlatformToken(user_id=user.id, name=name, token_hash=digest(secret), prefix=secret[:10],
                          read_only=read_only)
    db.session.add(token)
    db.session.commit()
    return token, secret


def platform_tokens(user):
    """The operator's platform tokens, newest first."""
    return list(db.session.scalars(select(PlatformToken).filter_by(user_id=user.id).order_by(PlatformToken.id.desc())))


def revoke_platform_token(token):
    token.revoked_at = utcnow()
    db.session.commit()


def authenticate_platform(secret):
    """Return the active platform token matching ``secret``, or None (the caller checks its owner's role)."""
    if not secret or not secret.startswith(PLATFORM_TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(PlatformToken).filter_by(token_hash=digest(secret)))
    if token is None or not token.active:
        return None
    _note_use(token)
    return token
