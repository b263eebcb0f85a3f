"""Security plumbing shared by every response and sign-in: headers, redirects, sessions that end.

- Every response carries a Content-Security-Policy without inline scripts or styles (templates
  load static files only), refuses to be framed, and tells browsers not to sniff types or leak
  the full URL to other sites; production adds HSTS.
- Redirect targets that come from the request (``next``) are followed only when they are paths of
  this site.
- A session names the user *and* their session version; signing out and setting a password bump
  the version, so every copy of an older session cookie stops working at once.
- Checking a password costs the same whether or not the account exists.
"""
import re
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.security import check_password_hash, generate_password_hash

#: The policy of every page: only this site's own scripts, styles, images, fonts and connections.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
_UNSAFE_IN_REDIRECT = re.compile(r"[\x00-\x1f\x7f\\]")


def install_security(app):
    """Add the security headers to every response of ``app``."""
    app.after_request(add_security_headers)


def add_security_headers(response):
    """Set the headers unless a view chose its own (a view may, for instance, allow framing)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    max_age = current_app.config.get("HSTS_MAX_AGE", 0)
    if current_app.config.get("PRODUCTION") and max_age:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


def is_local_path(target):
    """Tell whether ``target`` is a path of this site that a browser cannot read as another site.

    Browsers drop tabs and new lines inside URLs and read a backslash as a slash, so
    ``/\\t/evil.example`` and ``/\\evil.example`` both lead off-site: anything with control
    characters, backslashes, surrounding spaces, a scheme or a host is refused.
    """
    if not isinstance(target, str) or not target or len(target) > 2048 or target != target.strip():
        return False
    if _UNSAFE_IN_REDIRECT.search(target) or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_redirect_target(target, fallback):
    """Return ``target`` when it is a path of this site, else ``fallback`` (an endpoint or a path)."""
    if is_local_path(target):
        return target
    return url_for(fallback) if "." in fallback else fallback


# -- sessions ------------------------------------------------------------------------------------

def session_id_for(user):
    """What the session stores for ``user``: its id and session version ("12:3")."""
    return f"{user.id}:{user.session_version or 0}"


def user_from_session_id(session_id, load):
    """The user a session names, or None when the session's version is not the user's current one."""
    user_id, _, version = str(session_id).partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = load(int(user_id))
    if user is None or (user.session_version or 0) != int(version):
        return None
    return user


# -- passwords -----------------------------------------------------------------------------------

_DUMMY_HASHES = {}


def check_password_in_constant_time(user, password):
    """Check ``password`` against ``user`` (or, for an unknown account, against a dummy hash)."""
    if user is not None:
        return user.check_password(password)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("no account has this password", method=method)
    check_password_hash(_DUMMY_HASHES[method], password)
    return False
