"""The governance blueprint: committee, charter and meetings, events, risks, added to one URL space explicitly.

Each view module declares its routes on its own ``Routes`` table; this module
builds the blueprint and adds every table, so no route depends on an import
made for its side effect.
"""
from coopserv.web import territory_blueprint


class Routes:
    """Routes a view module declares with decorators, added to a blueprint when the blueprint is built."""

    def __init__(self):
        self.rules = []

    def route(self, rule, methods=("GET",)):
        def decorator(view):
            self.rules.append((rule, view, tuple(methods)))
            return view

        return decorator

    def get(self, rule):
        return self.route(rule, ("GET",))

    def post(self, rule):
        return self.route(rule, ("POST",))

    def register(self, blueprint):
        for rule, view, methods in self.rules:
            blueprint.add_url_rule(rule, view_func=view, methods=list(methods))


def create_blueprint():
    """Build the governance blueprint with the routes of its three view modules."""
    from . import event_views, risk_views, views

    blueprint = territory_blueprint("governance", __name__, url_prefix="/governance")
    for module in (views, event_views, risk_views):
        module.routes.register(blueprint)
    return blueprint
