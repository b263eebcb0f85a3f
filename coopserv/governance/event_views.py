"""Event pages: business leaders' meetings and "Start Up de Territoire" evenings, their ideas and votes."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from coopserv.accounts.access import employer
from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.extensions import db
from coopserv.web import (
    form_data,
    is_htmx,
    json_error,
    render_page,
    roles_required,
    wants_json,
)

from . import events
from .blueprint import Routes
from .models import EVENT_KINDS
from .schemas import EventSchema, IdeaSchema
from .services import NotAllowed
from .views import _common, _invalid, _or_404, _require_member

routes = Routes()


def _kind_options():
    return [(k, _(v)) for k, v in EVENT_KINDS.items()]


@routes.get("/events")
@login_required
def event_list():
    _require_member()
    return render_template("governance/events.html", events=events.list_events(), kinds=EVENT_KINDS, **_common())


@routes.route("/events/new", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def new_event():
    values = form_data() if request.method == "POST" else {}
    page = lambda e: render_template("governance/event_new.html", values=values, errors=e,
                                     kind_options=_kind_options(), **_common())
    if request.method == "POST":
        try:
            event = events.create_event(EventSchema().load(values), current_user)
        except ValidationError as error:
            return _invalid(error, page)
        if wants_json():
            return {"id": event.id}, 201
        return redirect(url_for("governance.event", event_id=event.id))
    return page({})


def _ideas_context(event):
    registered = events.is_registered(event, current_user)
    return {"event": event, "ranking": events.ranking(event), "registered": registered,
            "voted": events.voted_idea_ids(event, current_user) if registered else set()}


def _event_page(event, errors=None, values=None, status=200):
    return render_template("governance/event.html", errors=errors or {}, values=values or {}, kinds=EVENT_KINDS,
                           **_ideas_context(event), **_common()), status


@routes.get("/events/<int:event_id>")
@login_required
def event(event_id):
    _require_member()
    return _event_page(_or_404(events.get_event(event_id)))


@routes.post("/events/<int:event_id>/register")
@login_required
def register(event_id):
    _require_member()
    event_ = _or_404(events.get_event(event_id))
    events.register(event_, current_user, employer())
    if wants_json():
        return {"registered": True}
    flash(_("You are registered."), "success")
    return redirect(url_for("governance.event", event_id=event_.id))


@routes.post("/events/<int:event_id>/ideas")
@login_required
def pitch(event_id):
    """A registered participant pitches an idea, before or during the event."""
    _require_member()
    event_ = _or_404(events.get_event(event_id))
    values = form_data()
    try:
        events.submit_idea(event_, current_user, IdeaSchema().load(values))
    except ValidationError as error:
        return _invalid(error, lambda e: _event_page(event_, e, values)[0])
    except NotAllowed:
        db.session.rollback()
        abort(403)
    if wants_json():
        return {"event": event_.id}, 201
    flash(_("Your idea is on the list."), "success")
    return redirect(url_for("governance.event", event_id=event_.id))


@routes.post("/ideas/<int:idea_id>/vote")
@login_required
def vote_idea(idea_id):
    """A participant votes for an idea (once); htmx swaps the ranking."""
    _require_member()
    idea = _or_404(events.get_idea(idea_id))
    errors, status = {}, 200
    try:
        events.vote_for_idea(idea, current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        errors, status = error.messages, 422
    except NotAllowed:
        db.session.rollback()
        abort(403)
    if wants_json():
        return {"idea": idea.id, "votes": len(idea.votes)}
    if is_htmx():
        return render_page("governance/event.html", "governance/_ideas.html", http_status=status, errors=errors,
                           **_ideas_context(idea.event), **_common())
    if status != 200:
        return _event_page(idea.event, errors, {}, status)
    return redirect(url_for("governance.event", event_id=idea.event_id))


@routes.post("/ideas/<int:idea_id>/project")
@roles_required(TERRITORY_ADMIN)
def idea_to_project(idea_id):
    """Turn an idea into a service project at the idea stage, in one click."""
    idea = _or_404(events.get_idea(idea_id))
    try:
        project = events.idea_to_project(idea, current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _event_page(idea.event, e, {})[0])
    if wants_json():
        return {"project": project.id}, 201
    flash(_("The idea is now a service project."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))

