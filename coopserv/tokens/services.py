"""Create, find and revoke personal access tokens."""
import hashlib
import secrets

from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.timeutil import utcnow
from coopserv.tokens.models import AccessToken

TOKEN_PREFIX = "cps_"


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, territory, name):
    """Create a token for ``user`` in ``territory``; return (token row, secret shown once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user.id, territory_id=territory.id, name=name, token_hash=_digest(secret),
                        prefix=secret[:10])
    db.session.add(token)
    record("token.created", name, actor=user)
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
        select(AccessToken).filter_by(token_hash=_digest(secret)).execution_options(**{ALL_TERRITORIES: True})
    )
    if token is None or not token.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token
