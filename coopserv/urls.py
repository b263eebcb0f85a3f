"""Absolute URLs built outside requests (e-mails, feeds, jobs) and links stored as endpoint + arguments.

A job or the CLI has no request to borrow a host name from: the base is the
territory's own host name when it has one, else PUBLIC_URL. Rows store where a
link leads (endpoint and arguments), never a built URL, so links keep working
when they are shown from another host or after a route moves.
"""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.routing import BuildError


def base_url(territory=None):
    """scheme://host[:port][/path] that absolute links of ``territory`` start with."""
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if territory is not None and getattr(territory, "host", None):
        scheme = urlsplit(public).scheme or "https"
        return f"{scheme}://{territory.host}"
    if public:
        return public
    if has_request_context():
        from flask import request

        return request.host_url.rstrip("/")
    return "http://localhost"


def external_url(endpoint, territory=None, **values):
    """The absolute URL of ``endpoint`` for ``territory`` (its slug filled in when the route needs it)."""
    parts = urlsplit(base_url(territory))
    if territory is not None and current_app.url_map.is_endpoint_expecting(endpoint, "territory_slug"):
        values.setdefault("territory_slug", territory.slug)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def target(endpoint, **args):
    """Describe where a link leads, to store it (JSON): ``{"endpoint": ..., "args": {...}}``."""
    return {"endpoint": endpoint, "args": args}


def target_url(stored, territory=None, external=False):
    """Build the URL a stored target names, or "" when it is empty or its route is gone."""
    if not stored or not stored.get("endpoint"):
        return ""
    values = dict(stored.get("args") or {})
    try:
        if external:
            return external_url(stored["endpoint"], territory=territory, **values)
        if territory is not None and current_app.url_map.is_endpoint_expecting(stored["endpoint"], "territory_slug"):
            values.setdefault("territory_slug", territory.slug)
        return url_for(stored["endpoint"], **values)
    except BuildError:
        return ""


#: Stands for the row's id while a row URL is built once: no other part of a URL holds it.
_ROW_ID_SLOT = 2_147_483_647


def row_url(endpoint, key, **values):
    """``url_for(endpoint, **{key: id}, **values)`` for every row of a list, built once.

    A page of 50 rows with four links each built 200 URLs through werkzeug (about
    20 µs each); the rows' URLs differ only by their integer id.
    """
    built = url_for(endpoint, **{key: _ROW_ID_SLOT}, **values)
    head, slot, tail = built.partition(str(_ROW_ID_SLOT))
    if not slot or str(_ROW_ID_SLOT) in tail:
        raise ValueError(f"{endpoint}: {key} is not a single integer part of its URL")
    return lambda row_id: f"{head}{int(row_id)}{tail}"
