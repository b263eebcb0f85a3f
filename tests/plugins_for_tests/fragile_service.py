"""A service type whose page callbacks all raise: the core's pages must show the request without them."""
import os

from flask import Blueprint

from coopserv.plugin_api import Schema, ServiceType, Transition, hookimpl

#: Requests this plugin was told about through request_submitted and request_status_changed (routing check).
submitted = []
moved = []


def _broken(argument):
    raise RuntimeError("deliberately broken callback")


@hookimpl
def register_service_types():
    return [ServiceType(key="fragile", label="Fragile", description="A service whose callbacks raise.",
                        category="other", request_schema=Schema, config_schema=Schema,
                        states={"open": "Open", "done": "Done"}, initial_state="open",
                        transitions=(Transition("finish", "Finish", ("open",), "done"),),
                        request_form_template="fragile/_fields.html", request_form_context=_broken,
                        request_detail_template="fragile/_detail.html", request_detail_context=_broken,
                        summarize=_broken)]


@hookimpl
def register_blueprints():
    return [Blueprint("fragile", __name__, template_folder=os.path.join(os.path.dirname(__file__), "templates"))]


@hookimpl
def request_submitted(request, payload):
    submitted.append(request.id)


@hookimpl
def request_status_changed(request, change):
    moved.append((request.id, change.to_status))
