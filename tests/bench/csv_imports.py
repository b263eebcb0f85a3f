"""Benchmark CSV imports: 10,000 organizations then 10,000 members, previewed and applied through the portal.

Run from the project root:
    .venv/bin/python tests/bench/csv_imports.py                  # SQLite, temporary file
    COOPSERV_DATABASE_URL=postgresql+psycopg://user:pw@host/scratch .venv/bin/python tests/bench/csv_imports.py
(options: --lines N). It migrates the database it is given and adds a throwaway territory: point it at a
scratch database. Files are posted to the same pages an admin uses (in-process test client): the figures
are the app's own cost. Each step prints its time and SQL statement count; re-importing the same file
(nothing to change) is measured too. Sending the invitations is measured separately, per 200 (one click).
"""
import argparse
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from sqlalchemy import event  # noqa: E402

from coopserv import create_app  # noqa: E402
from coopserv.extensions import db  # noqa: E402
from coopserv.testing import CoopservClient  # noqa: E402

PASSWORD = "bench-password-1"


def build(url):
    from flask_migrate import upgrade

    from coopserv.accounts.models import Membership
    from coopserv.accounts.services import create_user
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import create_territory

    folder = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "MAIL_OUTBOX": os.path.join(folder, "outbox")})
    app.test_client_class = CoopservClient
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        slug = f"imports-{int(time.time())}"
        territory = create_territory({"slug": slug, "name": "Imports"})
        with territory_scope(territory):
            admin = create_user("Admin", f"admin@{slug}.bench", PASSWORD)
            db.session.add(Membership(user_id=admin.id, role="territory_admin"))
            db.session.commit()
            email = admin.email
    return app, slug, email


def organizations_file(lines):
    rows = ["Nom;SIRET;Effectif;Secteur;Adresse"]
    rows += [f"Entreprise {n};{10_000_000_000_000 + n};{n % 500};Industrie;{n} rue du Port, 46100 Figeac"
             for n in range(lines)]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def members_file(lines):
    rows = ["E-mail;Nom;Organisation;Rôle"]
    rows += [f"personne{n}@example.org;Personne {n};{10_000_000_000_000 + n % 1000};salarié" for n in range(lines)]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def timed(app, action):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", count)
    return result, elapsed, len(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    url = os.environ.get("COOPSERV_DATABASE_URL") or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite")
    app, slug, email = build(url)
    client = app.test_client()
    client.login(type("Person", (), {"email": email}), password=PASSWORD)
    print(f"database: {url.split('@')[-1]}  lines per file: {args.lines:,}")
    print(f"{'step':<48} {'seconds':>8} {'statements':>11}")

    def upload(kind, raw):
        response = client.post(f"/t/{slug}/admin/imports/", content_type="multipart/form-data", data={
            "csrf_token": client.csrf_token(), "kind": kind, "file": (__import__("io").BytesIO(raw), f"{kind}.csv")})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return int(re.search(r"/(\d+)$", response.headers["Location"]).group(1))

    def apply(batch):
        response = client.post_form(f"/t/{slug}/admin/imports/{batch}/apply")
        assert response.status_code == 302

    for kind, raw in (("organizations", organizations_file(args.lines)), ("members", members_file(args.lines))):
        for attempt in ("first import", "same file again"):
            batch, seconds, statements = timed(app, lambda: upload(kind, raw))
            print(f"{kind + ': preview, ' + attempt:<48} {seconds:>8.2f} {statements:>11}")
            _none, seconds, statements = timed(app, lambda: client.get(f"/t/{slug}/admin/imports/{batch}"))
            print(f"{kind + ': preview page, ' + attempt:<48} {seconds:>8.2f} {statements:>11}")
            _none, seconds, statements = timed(app, lambda: apply(batch))
            label = "apply (+ first 200 invitations sent)" if kind == "members" and attempt == "first import" \
                else "apply"
            print(f"{kind + ': ' + label + ', ' + attempt:<48} {seconds:>8.2f} {statements:>11}")
    _none, seconds, statements = timed(app, lambda: client.post_form(f"/t/{slug}/admin/imports/invitations/send"))
    print(f"{'members: send the next 200 invitations':<48} {seconds:>8.2f} {statements:>11}")


if __name__ == "__main__":
    main()
