"""Watches every request, writes a notification, then fails: its write is rolled back, the request goes on."""
from coopserv.plugin_api import db, hookimpl, notify

CLUMSY_MESSAGE = "clumsy observer wrote this"


@hookimpl
def any_request_changed(request, change):
    notify(request.requester_id, CLUMSY_MESSAGE)
    db.session.flush()
    raise RuntimeError("deliberately broken observer")
