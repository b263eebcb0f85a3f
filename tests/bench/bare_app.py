"""The practical ceiling of the stack: a bare Flask + Flask-SQLAlchemy page (one indexed query, one template).

Served by the same gunicorn, on the same database, beside coopserv's pages in
``tests/bench/scale.py``: ``gunicorn -w 2 'tests.bench.bare_app:create_app()'``
with ``BARE_DATABASE_URL`` naming the database (it reads the ``territory`` table).
"""
import os

from flask import Flask, abort, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import text

db = SQLAlchemy()

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ territory.name }}</title></head>
<body><main><h1>{{ territory.name }}</h1><p>{{ territory.slug }}</p></main></body></html>"""


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    app.jinja_loader = DictLoader({"page.html": PAGE})
    db.init_app(app)

    @app.get("/t/<slug>/")
    def page(slug):
        territory = db.session.execute(text("SELECT id, slug, name FROM territory WHERE slug = :slug"),
                                       {"slug": slug}).first()
        if territory is None:
            abort(404)
        return render_template("page.html", territory=territory)

    return app
