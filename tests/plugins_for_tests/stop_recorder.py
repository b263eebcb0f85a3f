"""A tiny service type whose module_stopped records what it is told (or raises after writing, on demand)."""
from marshmallow import fields

from coopserv.plugin_api import Schema, ServiceType, Transition, db, hookimpl, notify

SERVICE_KEY = "stop_recorder"
calls = []
#: Set to True to make the hook write a notification, then raise.
fail = {"now": False}


class RecorderRequestSchema(Schema):
    note = fields.String(load_default="")


class RecorderConfigSchema(Schema):
    pass


@hookimpl
def register_service_types():
    return [ServiceType(key=SERVICE_KEY, label="Stop recorder", description="Records stops.", category="other",
                        request_schema=RecorderRequestSchema, config_schema=RecorderConfigSchema,
                        states={"open": "Open", "working": "Working", "done": "Done"}, initial_state="open",
                        transitions=(Transition("work", "Work", ("open",), "working"),
                                     Transition("finish", "Finish", ("working",), "done")))]


@hookimpl
def module_stopped(module, requests, reason):
    calls.append((module.service_key, sorted(r.id for r in requests),
                  sorted(r.history[-1].from_status for r in requests), str(reason)))
    if fail["now"]:
        notify(requests[0].requester_id, "written by a hook that then raises")
        db.session.flush()
        raise RuntimeError("deliberately broken stop")
