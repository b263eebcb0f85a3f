"""Declares the service key "twin"; so does twin_b: start-up must refuse the pair."""
from coopserv.plugin_api import Schema, ServiceType, Transition, hookimpl


def twin_service_type():
    return ServiceType(key="twin", label="Twin", description="", category="test", request_schema=Schema,
                       config_schema=Schema, states={"open": "Open", "done": "Done"}, initial_state="open",
                       transitions=(Transition("finish", "Finish", ("open",), "done"),))


@hookimpl
def register_service_types():
    return [twin_service_type()]
