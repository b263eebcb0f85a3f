"""Governance pages: the committee and its balance, the charter, meetings with votes and actions, risks.

Everyone of the territory reads the committee, charter and meetings; only
committee members vote; territory admins manage the committee, meetings and
the risk register (which committee members may read).
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.accounts.access import (
    has_role,
    is_member,
    is_territory_admin,
    referent_organizations,
)
from coopserv.accounts.models import (
    ACTIVE,
    GOVERNANCE_MEMBER,
    TERRITORY_ADMIN,
    Membership,
    User,
)
from coopserv.extensions import db
from coopserv.organizations.models import Organization
from coopserv.security import is_local_path
from coopserv.timeutil import local_today
from coopserv.web import (
    form_data,
    is_htmx,
    json_error,
    render_page,
    roles_required,
    wants_json,
)

from . import services, voting
from .blueprint import Routes
from .models import (
    ACTION_STATUSES,
    CHOICE_LABELS,
    COLLEGE_LABELS,
    DECISION_KIND_LABELS,
    MAJORITY_LABELS,
    REASON_LABELS,
    RESULT_LABELS,
    RISK_CATEGORIES,
    VOTE_OPEN,
    CommitteeVote,
)
from .schemas import (
    ActionItemSchema,
    ActionStatusSchema,
    AgendaItemSchema,
    AttendanceSchema,
    CharterVersionSchema,
    CollegeSchema,
    CommitteeMemberSchema,
    MeetingSchema,
    MinutesSchema,
    SettingsSchema,
    SignatureSchema,
    VoteSchema,
)

routes = Routes()

LABELS = {"colleges": COLLEGE_LABELS, "choices": CHOICE_LABELS, "majorities": MAJORITY_LABELS,
          "results": RESULT_LABELS, "reasons": REASON_LABELS, "action_statuses": ACTION_STATUSES,
          "risk_categories": RISK_CATEGORIES}


def _require_member():
    if not is_member():
        abort(403)


def _or_404(row):
    if row is None:
        abort(404)
    return row


def _invalid(error, page, status=422):
    """Answer bad input: JSON field errors, or the page re-rendered with them; nothing is stored."""
    db.session.rollback()
    if wants_json():
        return json_error(status, _("Please correct the fields marked below."), error.messages)
    return page(error.messages), status


def _people():
    """Active members of the territory, for owner and committee pickers."""
    members = select(Membership.user_id).filter_by(status=ACTIVE)
    return list(db.session.scalars(select(User).where(User.id.in_(members)).order_by(User.name)))


def _organizations():
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))


def _common():
    return {"labels": LABELS, "admin": is_territory_admin(), "today": services.today(),
            "risk_reader": is_territory_admin() or has_role(GOVERNANCE_MEMBER),
            "college_options": [(c, _(COLLEGE_LABELS[c])) for c in voting.COLLEGES],
            "decision_kind_options": [(k, _(DECISION_KIND_LABELS[k])) for k in voting.DECISION_KINDS],
            "majority_options": [(k, _(v)) for k, v in MAJORITY_LABELS.items()]}


# -- committee ------------------------------------------------------------------------------
#: The charter a committee starts from, adapted and adopted by it: the method's rules in five lines.
STARTER_CHARTER = _l(
    "1. Purpose. The steering committee brings the territory's local authorities, companies and associations "
    "together to design services for companies and their employees with them, not for them.\n"
    "2. Members. Each member organization names its representative; private members (companies and "
    "associations) hold at least the share the committee sets.\n"
    "3. Method. Needs are collected first; the committee decides which service is tried, with which pilot "
    "organizations, targets and dates, then reviews the results and decides to make it permanent, change it "
    "or stop it.\n"
    "4. Decisions. Decisions are taken by a vote under the rules below and recorded with the votes cast.\n"
    "5. Commitments. Signatories state what they bring: funding, staff days, premises.")


def _guided_next():
    """The page a guided set-up returns to (``next``, a path of this site), or None."""
    target = request.values.get("next")
    return target if is_local_path(target) else None


def _committee_page(errors=None, failed=None, values=None, status=200):
    members = services.committee_members()
    context = dict(_common(), members=members, balance=services.balance(members),
                   meetings=services.list_meetings(), overdue=services.overdue_actions(),
                   people=_people() if is_territory_admin() else [],
                   organizations=_organizations() if is_territory_admin() else [],
                   errors=errors or {}, failed=failed, values=values or {})
    return render_template("governance/committee.html", next_page=_guided_next(), **context), status


@routes.get("/")
@login_required
def committee():
    _require_member()
    return _committee_page()


@routes.post("/settings")
@roles_required(TERRITORY_ADMIN)
def settings():
    values = form_data()
    try:
        services.save_settings(SettingsSchema().load(values), current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _committee_page(e, "settings", values)[0])
    flash(_("The committee's rule is saved."), "success")
    return redirect(url_for("governance.committee"))


@routes.post("/members")
@roles_required(TERRITORY_ADMIN)
def add_member():
    values = form_data()
    try:
        services.add_member(CommitteeMemberSchema().load(values), current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _committee_page(e, "member", values)[0])
    flash(_("The member sits on the committee."), "success")
    guided = _guided_next()
    if guided:  # set up from a project: its charter comes next, if it has none yet, then back to the project
        return redirect(url_for("governance.charter", next=guided) if services.current_charter() is None else guided)
    return redirect(url_for("governance.committee"))


@routes.post("/members/<int:user_id>/college")
@roles_required(TERRITORY_ADMIN)
def set_college(user_id):
    values = form_data()
    try:
        services.set_college(user_id, CollegeSchema().load(values)["college"], current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _committee_page(e, "college", values)[0])
    return redirect(url_for("governance.committee"))


# -- charter ---------------------------------------------------------------------------------
def _signable_organizations():
    """Admins sign for any organization, company referents for theirs."""
    if is_territory_admin():
        return _organizations()
    return referent_organizations()


def _charter_page(errors=None, failed=None, values=None, status=200):
    current = services.current_charter()
    signable = _signable_organizations()
    signed_ids = {s.organization_id for s in current.signatures} if current else set()
    rules = services.decision_rules(current)
    rule_values = {"text": current.text if current else str(STARTER_CHARTER)}
    for kind, rule in rules.items():
        rule_values.update({f"rule_{kind}_quorum_percent": rule.quorum_percent, f"rule_{kind}_majority": rule.majority,
                            f"rule_{kind}_each_college": rule.each_college})
    context = dict(_common(), versions=services.charter_versions(), current=current, rules=rules,
                   rule_values=rule_values, signable=[o for o in signable if o.id not in signed_ids], today=local_today(),
                   errors=errors or {}, failed=failed, values=values or {})
    return render_template("governance/charter.html", next_page=_guided_next(), **context), status


def _charter_form(values):
    """The charter form's flat rule fields (rule_<kind>_<part>) as the schema's nested decision_rules."""
    data = {key: value for key, value in values.items() if not key.startswith("rule_")}
    rules = {}
    for kind in voting.DECISION_KINDS:
        prefix = f"rule_{kind}_"
        parts = {key.removeprefix(prefix): value for key, value in values.items() if key.startswith(prefix)}
        if parts:
            rules[kind] = parts
    if rules:
        data["decision_rules"] = rules
    return data


def _flat_rule_errors(messages):
    """Nested decision_rules errors as the form's flat field names, so each shows beside its input."""
    flat = {key: value for key, value in messages.items() if key != "decision_rules"}
    for kind, errors in (messages.get("decision_rules") or {}).items():
        for part, texts in ((errors or {}).get("value") or {}).items():
            flat[f"rule_{kind}_{part}"] = texts
        if (errors or {}).get("key"):
            flat["decision_rules"] = errors["key"]
    return flat


@routes.get("/charter")
@login_required
def charter():
    _require_member()
    return _charter_page()


@routes.post("/charter/versions")
@roles_required(TERRITORY_ADMIN)
def add_charter_version():
    values = form_data()
    try:
        data = values if request.is_json else _charter_form(values)
        services.add_charter_version(CharterVersionSchema().load(data), current_user)
    except ValidationError as error:
        if not request.is_json:
            error = ValidationError(_flat_rule_errors(error.messages))
        return _invalid(error, lambda e: _charter_page(e, "version", values)[0])
    flash(_("The new version of the charter is adopted."), "success")
    return redirect(_guided_next() or url_for("governance.charter"))


@routes.post("/charter/sign")
@login_required
def sign_charter():
    _require_member()
    allowed = None if is_territory_admin() else {o.id for o in referent_organizations()}
    if allowed is not None and not allowed:
        abort(403)
    values = form_data()
    try:
        services.sign_charter(SignatureSchema().load(values), current_user, allowed)
    except ValidationError as error:
        return _invalid(error, lambda e: _charter_page(e, "sign", values)[0])
    flash(_("The charter is signed."), "success")
    return redirect(url_for("governance.charter"))


# -- meetings -----------------------------------------------------------------------------------
@routes.route("/meetings/new", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def new_meeting():
    values = form_data() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            meeting = services.create_meeting(MeetingSchema().load(values), current_user)
        except ValidationError as error:
            return _invalid(error, lambda e: render_template("governance/meeting_new.html", values=values, errors=e,
                                                             project_id=request.args.get("project_id", type=int),
                                                             **_common()))
        if wants_json():
            return {"id": meeting.id}, 201
        # Planned from a project in evaluation: its decision is proposed on the new meeting's agenda.
        return redirect(url_for("governance.meeting", meeting_id=meeting.id,
                                project_id=request.args.get("project_id", type=int)))
    return render_template("governance/meeting_new.html", values=values, errors={},
                           project_id=request.args.get("project_id", type=int), **_common())


def _item_context(item, members=None, votes=None, sits=None):
    """What the vote box of an agenda item shows: the count so far (or stored result) and my vote.

    A meeting page passes the votes of all its items and whether the person sits, read once for all items.
    """
    mine = None
    if current_user.is_authenticated:
        if votes is None:
            mine = db.session.scalar(select(CommitteeVote.choice).filter_by(item_id=item.id, user_id=current_user.id))
        else:
            mine = next((vote.choice for vote in votes if vote.user_id == current_user.id), None)
    if sits is None:
        sits = has_role(GOVERNANCE_MEMBER)  # the person's memberships are already loaded
    return {"item": item, "count": services.live_count(item, members, votes), "my_choice": mine,
            "can_vote": item.vote_status == VOTE_OPEN and sits}


def _proposed_item(projects):
    """The agenda form filled in for the project named in the URL, when an admin came from its page."""
    project_id = request.args.get("project_id", type=int)
    project = next((p for p in projects if p.id == project_id), None)
    if project is None:
        return {}
    return {"project_id": project.id, "with_vote": True,
            "title": _("Decision on the service project “%(title)s”", title=project.title)}


def _meeting_page(meeting, errors=None, failed=None, values=None, status=200):
    from coopserv.projects.models import EVALUATION, OUTCOMES

    members = services.committee_members()
    present = {a.user_id for a in meeting.attendances if a.present}
    # Every charter version at once: the rules shown are the last one's, and the items' versions are among them.
    charters = services.charter_versions()
    # Projects in evaluation (the agenda form) and those voted on here (the vote boxes link to them and their
    # decisions), loaded together so no item loads its own; ``loaded`` keeps them in the session while the page
    # renders (the session holds rows weakly).
    loaded = services.projects_of_agenda(meeting, EVALUATION)
    projects = [project for project in loaded if project.stage == EVALUATION]
    votes = services.votes_by_item([item.id for item in meeting.items])
    sits = has_role(GOVERNANCE_MEMBER)  # the person's memberships are already loaded
    context = dict(_common(), meeting=meeting, members=members, present=present,
                   items=[_item_context(item, members, votes[item.id], sits) for item in meeting.items],
                   people=_people(), errors=errors or {}, failed=failed, values=values or {},
                   projects=projects, proposed_item=_proposed_item(projects) if failed is None else {},
                   outcome_options=[(k, _(v)) for k, v in OUTCOMES.items()], outcomes=OUTCOMES,
                   rules=services.decision_rules(charters[0] if charters else None))
    return render_template("governance/meeting.html", **context), status


@routes.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id):
    _require_member()
    return _meeting_page(_or_404(services.get_meeting_for_page(meeting_id)))


def _meeting_form(meeting_id, failed, schema, action, flash_message):
    meeting = _or_404(services.get_meeting(meeting_id))
    values = form_data()
    try:
        action(meeting, schema().load(values))
    except ValidationError as error:
        return _invalid(error, lambda e: _meeting_page(meeting, e, failed, values)[0])
    if wants_json():
        return {"meeting": meeting.id}, 200
    flash(flash_message, "success")
    return redirect(url_for("governance.meeting", meeting_id=meeting.id))


@routes.post("/meetings/<int:meeting_id>/invitations")
@roles_required(TERRITORY_ADMIN)
def send_invitations(meeting_id):
    meeting = _or_404(services.get_meeting(meeting_id))
    try:
        services.send_invitations(meeting, current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _meeting_page(meeting, e, "invite")[0])
    if wants_json():
        return {"meeting": meeting.id, "invited": len(meeting.attendances)}
    flash(_("The committee members are invited."), "success")
    return redirect(url_for("governance.meeting", meeting_id=meeting.id))


@routes.get("/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def minutes_pdf(meeting_id):
    """The meeting's minutes as a PDF (made by a job), for everyone of the territory who reads the meeting."""
    from coopserv.documents.views import pdf_response

    _require_member()
    meeting = _or_404(services.get_meeting(meeting_id))
    return pdf_response("governance.minutes", meeting.id)


@routes.post("/meetings/<int:meeting_id>/edit")
@roles_required(TERRITORY_ADMIN)
def edit_meeting(meeting_id):
    """Move or rename a meeting; members already invited get the change (and a new .ics) by e-mail."""
    return _meeting_form(meeting_id, "edit", MeetingSchema,
                         lambda meeting, data: services.update_meeting(meeting, data, current_user),
                         _("The meeting is changed."))


@routes.post("/meetings/<int:meeting_id>/attendance")
@roles_required(TERRITORY_ADMIN)
def set_attendance(meeting_id):
    return _meeting_form(meeting_id, "attendance", AttendanceSchema,
                         lambda meeting, data: services.set_attendance(meeting, data["present_ids"], current_user),
                         _("Attendance is recorded."))


@routes.post("/meetings/<int:meeting_id>/minutes")
@roles_required(TERRITORY_ADMIN)
def save_minutes(meeting_id):
    return _meeting_form(meeting_id, "minutes", MinutesSchema,
                         lambda meeting, data: services.save_minutes(meeting, data, current_user),
                         _("The minutes are saved."))


@routes.post("/meetings/<int:meeting_id>/items")
@roles_required(TERRITORY_ADMIN)
def add_item(meeting_id):
    return _meeting_form(meeting_id, "item", AgendaItemSchema,
                         lambda meeting, data: services.add_agenda_item(meeting, data, current_user),
                         _("The item is on the agenda."))


@routes.post("/meetings/<int:meeting_id>/actions")
@roles_required(TERRITORY_ADMIN)
def add_action(meeting_id):
    return _meeting_form(meeting_id, "action", ActionItemSchema,
                         lambda meeting, data: services.add_action(meeting, data, current_user),
                         _("The action is recorded."))


def _vote_box(item, errors=None, status=200):
    context = dict(_common(), errors=errors or {}, **_item_context(item))
    if is_htmx():
        return render_page("governance/meeting.html", "governance/_vote.html", http_status=status, **context)
    if status != 200:
        return _meeting_page(item.meeting, errors, f"vote-{item.id}", {}, status)
    return redirect(url_for("governance.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}")


@routes.post("/items/<int:item_id>/vote")
@login_required
def vote(item_id):
    """A committee member votes (or changes their vote); htmx swaps the item's vote box."""
    _require_member()
    item = _or_404(services.get_item(item_id))
    if not services.is_committee_member(current_user):
        abort(403)
    try:
        choice = VoteSchema().load(form_data())["choice"]
        services.cast_vote(item, current_user, choice)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        return _vote_box(item, error.messages, 422)
    except services.NotAllowed:
        abort(403)
    if wants_json():
        return {"item": item.id, "choice": choice}
    return _vote_box(item)


@routes.post("/items/<int:item_id>/close")
@roles_required(TERRITORY_ADMIN)
def close_vote(item_id):
    item = _or_404(services.get_item(item_id))
    try:
        result = services.close_vote(item, current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(422, _("Please correct the fields marked below."), error.messages)
        return _vote_box(item, error.messages, 422)
    if wants_json():
        return {"item": item.id, "result": result.decision, "reason": result.reason, "totals": result.totals}
    return _vote_box(item)


@routes.post("/collective-needs/<int:collective_id>/agenda")
@login_required
def put_collective_on_agenda(collective_id):
    """One click: a collective need past the threshold goes on the next committee meeting's agenda."""
    from coopserv.needs.models import CollectiveNeed

    if not (is_territory_admin() or services.is_committee_member(current_user)):
        abort(403)
    collective = _or_404(db.session.scalar(select(CollectiveNeed).filter_by(id=collective_id)))
    try:
        item = services.put_collective_on_agenda(collective, current_user)
    except ValidationError as error:
        db.session.rollback()
        if wants_json():
            return json_error(409, " ".join(str(m) for m in error.messages["_schema"]), error.messages)
        flash(" ".join(str(m) for m in error.messages["_schema"]), "error")
        return redirect(url_for("needs.collective", collective_id=collective.id))
    if wants_json():
        return {"meeting": item.meeting_id, "item": item.id}
    flash(_("The collective need is on the agenda of “%(title)s”.", title=item.meeting.title), "success")
    return redirect(url_for("governance.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}")


@routes.post("/actions/<int:action_id>/status")
@login_required
def action_status(action_id):
    """The owner or an admin moves an action on; htmx swaps its row."""
    _require_member()
    action = _or_404(services.get_action(action_id))
    if not (is_territory_admin() or action.owner_id == current_user.id):
        abort(403)
    try:
        services.set_action_status(action, ActionStatusSchema().load(form_data())["status"], current_user)
    except ValidationError as error:
        return _invalid(error, lambda e: _meeting_page(action.meeting, e, "action-status", {})[0])
    if wants_json():
        return {"action": action.id, "status": action.status}
    if is_htmx():
        return render_page("governance/meeting.html", "governance/_action_row.html", action=action,
                           can_update=True, **_common())
    return redirect(url_for("governance.meeting", meeting_id=action.meeting_id))

