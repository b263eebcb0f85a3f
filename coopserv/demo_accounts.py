"""Demo accounts: one published password for all of them, hashed once per process."""
from functools import lru_cache

from flask import current_app
from werkzeug.security import generate_password_hash

from coopserv.accounts.services import create_user

DEMO_PASSWORD = "coopserv-demo"


@lru_cache(maxsize=4)
def _shared_hash(method):
    return generate_password_hash(DEMO_PASSWORD, method=method)


def create_demo_user(name, email, **options):
    """A demo account with the published demo password.

    The demo creates over a hundred accounts with the same published password: hashing it once
    (scrypt costs a tenth of a second or more each time) instead of per account makes `coopserv demo`
    start much sooner. Real accounts always get a hash and salt of their own.
    """
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return create_user(name, email, None, password_hash=_shared_hash(method), **options)
