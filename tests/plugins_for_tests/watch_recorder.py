"""Watches every request through any_request_changed and writes down each change."""
from coopserv.plugin_api import hookimpl

#: (request id, service key, from status, to status) of every change seen.
seen = []


@hookimpl
def any_request_changed(request, change):
    seen.append((request.id, request.module.service_key, change.from_status, change.to_status))
