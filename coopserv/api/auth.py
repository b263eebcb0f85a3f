"""Token authentication and the territory-scoped API blueprint."""
from flask import abort, g, request
from flask_smorest import Blueprint

from coopserv.accounts.access import has_role, is_member
from coopserv.tenancy import current_territory, require_territory
from coopserv.tokens.services import authenticate, authenticate_platform

API_PREFIX = "/api/v1"
#: Methods a read-only token may use; everything else is a write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def authenticate_request():
    """Accept only a valid token of the territory in the URL; never the browser session.

    The API is exempt from CSRF because it does not read cookies: a token must
    come with every call. The token's person becomes ``current_user`` for this
    request only (Flask-Login keeps it in ``g._login_user``), so role checks are
    the portal's own.
    """
    secret = bearer_token()
    token = authenticate(secret)
    if token is None:
        refuse_platform_token(secret)
        abort(401, "A valid personal access token is required (Authorization: Bearer …).")
    territory = current_territory()
    if territory is not None and token.territory_id != territory.id:
        abort(403, "This token belongs to another territory.")
    refuse_writes_of_read_only(token)
    g._login_user = token.user
    if territory is not None and not is_member():
        abort(403, "The token's owner is not a member of this territory.")
    return token


def refuse_platform_token(secret):
    """Answer 403 to a platform token: it creates networks, and opens no territory's or network's data."""
    if authenticate_platform(secret) is not None:
        abort(403, "A platform token only creates and lists networks: use a token of this territory or network.")


def valid_token_of_another_kind(secret):
    """Whether ``secret`` is a valid territory or network token (to answer 403 rather than 401)."""
    from coopserv.network.services import authenticate_token as authenticate_network

    return authenticate(secret) is not None or authenticate_network(secret) is not None


def refuse_writes_of_read_only(token):
    """Answer 403 to any write made with a read-only token, before the endpoint runs."""
    if token.read_only and request.method not in READ_METHODS:
        abort(403, "This token is read-only: it cannot change anything.")


def territory_api_blueprint(name, import_name, url_prefix, description):
    """A blueprint under /api/v1/territories/<territory_slug>/… that loads the territory and checks the token."""
    blueprint = Blueprint(name, import_name, url_prefix=f"{API_PREFIX}/territories/<territory_slug>{url_prefix}",
                          description=description)

    @blueprint.url_value_preprocessor
    def _load(endpoint, values):
        require_territory(values.pop("territory_slug"))

    @blueprint.before_request
    def _authenticate():
        authenticate_request()

    return blueprint


def require_role(*roles):
    """Answer 403 (JSON) unless the token's owner holds one of ``roles`` in the territory."""
    if not any(has_role(role) for role in roles):
        abort(403, "Your roles in this territory do not allow this.")
