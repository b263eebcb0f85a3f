"""The one place that writes the committee, its charter, meetings, votes, action items and risks."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext, ngettext
from marshmallow import ValidationError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy import func, select

from coopserv.accounts.models import ACTIVE, GOVERNANCE_MEMBER, Membership, User
from coopserv.accounts.services import grant_role
from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.notifications.services import notify
from coopserv.organizations.models import Organization
from coopserv.timeutil import local_today, utcnow
from coopserv.urls import target

from . import voting
from .models import (
    COLLEGE_OF_KIND,
    NO_VOTE,
    VOTE_CLOSED,
    VOTE_OPEN,
    ActionItem,
    AgendaItem,
    CharterSignature,
    CharterVersion,
    CommitteeSeat,
    CommitteeVote,
    GovernanceSettings,
    Meeting,
    MeetingAttendance,
)


class NotAllowed(Exception):
    """The person may not do this (the view answers 403)."""


def _error(field, message):
    return ValidationError({field: [message]})


def _by_id(model, object_id):
    """Load a row of the current territory by id (scoped by the tenancy listener), or None."""
    return db.session.scalar(select(model).filter_by(id=object_id)) if object_id is not None else None


def territory_member(user_id, field):
    """The user if they hold any active role in this territory, else a field error."""
    membership = db.session.scalar(select(Membership).filter_by(user_id=user_id, status=ACTIVE).limit(1)) \
        if user_id is not None else None
    if membership is None:
        raise _error(field, lazy_gettext("Choose a member of this territory."))
    return membership.user


# -- committee ----------------------------------------------------------------------
@dataclass
class CommitteeMember:
    user: User
    organization: Organization | None
    college: str
    college_set_by_hand: bool


def get_settings():
    """The territory's committee rule, or the default (50 % private members) when never saved."""
    return db.session.scalar(select(GovernanceSettings)) or GovernanceSettings(min_private_share=50)


def save_settings(data, actor=None):
    settings = db.session.scalar(select(GovernanceSettings))
    if settings is None:
        settings = GovernanceSettings()
        db.session.add(settings)
    settings.min_private_share = data["min_private_share"]
    record("governance.settings_changed", "", actor=actor, **data)
    db.session.commit()
    return settings


def default_college(organization):
    """Companies and associations sit in their own colleges; everyone else with public bodies."""
    return COLLEGE_OF_KIND.get(organization.kind, voting.PUBLIC) if organization else voting.PUBLIC


def committee_members():
    """Everyone holding the governance member role here, with their college."""
    # A seat (a college set by hand) comes with the membership, in the same statement.
    rows = db.session.execute(select(Membership, CommitteeSeat.college)
                              .outerjoin(CommitteeSeat, CommitteeSeat.user_id == Membership.user_id)
                              .filter(Membership.role == GOVERNANCE_MEMBER, Membership.status == ACTIVE)
                              .options(joinedload(Membership.user), joinedload(Membership.organization))
                              .order_by(Membership.id))
    members, seen = [], set()
    for membership, seat_college in rows:
        if membership.user_id in seen:
            continue
        seen.add(membership.user_id)
        college = seat_college or default_college(membership.organization)
        members.append(CommitteeMember(membership.user, membership.organization, college, seat_college is not None))
    return sorted(members, key=lambda m: (voting.COLLEGES.index(m.college), m.user.name))


def is_committee_member(user):
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return db.session.scalar(select(Membership.id).filter_by(user_id=user.id, role=GOVERNANCE_MEMBER,
                                                             status=ACTIVE).limit(1)) is not None


def college_of(user):
    return next((m.college for m in committee_members() if m.user.id == user.id), voting.PUBLIC)


def members_by_college(members=None):
    counts = {college: 0 for college in voting.COLLEGES}
    for member in members if members is not None else committee_members():
        counts[member.college] += 1
    return counts


def balance(members=None, settings=None):
    """Count and share per college, the private share and whether it meets the territory's minimum."""
    counts = members_by_college(members)
    total = sum(counts.values())
    settings = settings or get_settings()
    shares = {college: (round(100 * n / total) if total else 0) for college, n in counts.items()}
    private = counts[voting.COMPANIES] + counts[voting.ASSOCIATIONS]
    private_share = round(100 * private / total) if total else 0
    # Compare with integers so 50 % of 4 members is met by exactly 2.
    met = total > 0 and private * 100 >= settings.min_private_share * total
    return {"counts": counts, "shares": shares, "total": total, "private_share": private_share,
            "minimum": settings.min_private_share, "met": met}


def add_member(data, actor=None):
    """Seat a member of the territory on the committee (grants the governance member role)."""
    user = territory_member(data["user_id"], "user_id")
    organization = _by_id(Organization, data.get("organization_id"))
    if data.get("organization_id") is not None and organization is None:
        raise _error("organization_id", lazy_gettext("Choose organizations of this territory."))
    if data.get("college"):
        _set_seat(user.id, data["college"])
    grant_role(user, GOVERNANCE_MEMBER, organization_id=organization.id if organization else None)
    return user


def _set_seat(user_id, college):
    seat = db.session.scalar(select(CommitteeSeat).filter_by(user_id=user_id))
    if seat is None:
        seat = CommitteeSeat(user_id=user_id, college=college)
        db.session.add(seat)
    seat.college = college
    return seat


def set_college(user_id, college, actor=None):
    """Move a committee member to another college (the default comes from their organization)."""
    if not any(m.user.id == user_id for m in committee_members()):
        raise _error("user_id", lazy_gettext("Choose a member of the committee."))
    _set_seat(user_id, college)
    record("governance.college_set", user_id, actor=actor, college=college)
    db.session.commit()


# -- charter ----------------------------------------------------------------------------
def charter_versions():
    return list(db.session.scalars(select(CharterVersion).order_by(CharterVersion.number.desc())))


def current_charter():
    return db.session.scalar(select(CharterVersion).order_by(CharterVersion.number.desc()).limit(1))


def add_charter_version(data, actor=None):
    """Adopt a new version of the charter, with its voting rules; organizations sign it again."""
    number = (db.session.scalar(select(func.max(CharterVersion.number))) or 0) + 1
    rules = {kind: dict(rule) for kind, rule in (data.get("decision_rules") or {}).items()}
    version = CharterVersion(number=number, text=data["text"], adopted_on=data["adopted_on"],
                             decision_rules=rules or None)
    db.session.add(version)
    record("governance.charter_version", number, actor=actor)
    db.session.commit()
    return version


#: "The charter in force, read now": ``None`` says there is no charter (the default rules), read no more.
IN_FORCE = object()


def decision_rule(kind, charter=IN_FORCE):
    """The voting rule the charter in force (or ``charter``) sets for a kind of decision; the default without one."""
    charter = current_charter() if charter is IN_FORCE else charter
    rules = (charter.decision_rules if charter is not None else None) or {}
    return voting.rule_from(rules.get(kind))


def decision_rules(charter=IN_FORCE):
    """Every kind of decision with its rule under the charter in force (read once for all kinds)."""
    charter = current_charter() if charter is IN_FORCE else charter
    return {kind: decision_rule(kind, charter) for kind in voting.DECISION_KINDS}


def sign_charter(data, actor=None, allowed_organization_ids=None):
    """Sign the current charter for an organization with its commitments (once per version)."""
    version = current_charter()
    if version is None:
        raise _error("_schema", lazy_gettext("There is no charter to sign yet."))
    organization = _by_id(Organization, data["organization_id"])
    if organization is None or (allowed_organization_ids is not None
                                and organization.id not in allowed_organization_ids):
        raise _error("organization_id", lazy_gettext("Choose organizations of this territory."))
    if db.session.scalar(select(CharterSignature.id).filter_by(version_id=version.id,
                                                               organization_id=organization.id)):
        raise _error("organization_id", lazy_gettext("This organization already signed this version."))
    signature = CharterSignature(version=version, organization_id=organization.id,
                                 signed_by_id=actor.id if actor else None, signed_on=local_today(),
                                 funding_amount=data.get("funding_amount") or 0, staff_days=data.get("staff_days", 0),
                                 premises=data.get("premises", ""), quality_pledge=data.get("quality_pledge", ""))
    db.session.add(signature)
    record("governance.charter_signed", version.number, actor=actor, organization=organization.name)
    db.session.commit()
    return signature


# -- meetings --------------------------------------------------------------------------------
def list_meetings():
    return list(db.session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())))


def get_meeting(meeting_id):
    return _by_id(Meeting, meeting_id)


def get_meeting_for_page(meeting_id):
    """A meeting with what its page lists, each collection in one statement: items, attendances and actions
    with their people (no query per row)."""
    return db.session.scalar(select(Meeting).filter_by(id=meeting_id).options(
        selectinload(Meeting.items), selectinload(Meeting.attendances).joinedload(MeetingAttendance.user),
        selectinload(Meeting.actions).joinedload(ActionItem.owner)))


def projects_of_agenda(meeting, *stages):
    """Projects in one of ``stages`` and those the meeting's items vote on, with their decisions, in two statements."""
    from coopserv.projects.models import ServiceProject

    voted = [item.project_id for item in meeting.items if item.project_id is not None]
    return list(db.session.scalars(select(ServiceProject)
                                   .where(ServiceProject.stage.in_(stages) | ServiceProject.id.in_(voted))
                                   .options(selectinload(ServiceProject.decisions)).order_by(ServiceProject.id)))


def create_meeting(data, actor=None):
    meeting = Meeting(title=data["title"], starts_at=data["starts_at"], place=data.get("place", ""))
    db.session.add(meeting)
    db.session.flush()
    record("governance.meeting_created", meeting.id, actor=actor, title=meeting.title)
    db.session.commit()
    return meeting


def _attendance(meeting, user_id):
    row = next((a for a in meeting.attendances if a.user_id == user_id), None)
    if row is None:
        row = MeetingAttendance(user_id=user_id)
        meeting.attendances.append(row)
    return row


def update_meeting(meeting, data, actor=None):
    """Change a meeting's title, time or place; invited members get the change by e-mail with a new .ics."""
    moved = (data["starts_at"], data.get("place", "")) != (meeting.starts_at, meeting.place)
    retitled = data["title"] != meeting.title
    meeting.title, meeting.starts_at, meeting.place = data["title"], data["starts_at"], data.get("place", "")
    record("governance.meeting_changed", meeting.id, actor=actor, title=meeting.title)
    if meeting.invitations_sent_at is not None and (moved or retitled):
        meeting.sequence = (meeting.sequence or 0) + 1
        invited = [a.user_id for a in meeting.attendances if a.invited_at is not None]
        for user_id in invited:
            notify(user_id, _l("The committee meeting “%(title)s” changed: now %(date)s at %(place)s."),
                   link_to=target("governance.meeting", meeting_id=meeting.id), title=meeting.title,
                   date=meeting.starts_at, place=meeting.place or "-")
        _mail_meeting(meeting, invited, "emails/meeting_changed.html")
    db.session.commit()
    return meeting


def _mail_meeting(meeting, user_ids, template):
    """E-mail a meeting's invitation or change, with its .ics (same uid, next sequence) to update calendars."""
    from coopserv.calendar.ics import ics_attachment
    from coopserv.emails.categories import COMMITTEE
    from coopserv.emails.services import send_email_to_users
    from coopserv.tenancy import current_territory

    from .calendar import meeting_event

    territory = current_territory()
    db.session.flush()
    attachment = ics_attachment(meeting_event(meeting, territory), territory, filename="meeting.ics")
    send_email_to_users(user_ids, COMMITTEE, template, link_to=target("governance.meeting", meeting_id=meeting.id),
                        attachments=[attachment], title=meeting.title, starts_at=meeting.starts_at,
                        place=meeting.place, agenda=[item.title for item in meeting.items])


def send_invitations(meeting, actor=None, now=None):
    """Invite every committee member to a meeting still to come (notified in the app and by e-mail with .ics)."""
    now = now or utcnow()
    if meeting.starts_at <= now:
        raise _error("starts_at", lazy_gettext("This meeting has already started: invitations go to future meetings."))
    members = committee_members()
    if not members:
        raise _error("_schema", lazy_gettext("The committee has no member to invite yet."))
    for member in members:
        _attendance(meeting, member.user.id).invited_at = now
        notify(member.user.id, _l("You are invited to the committee meeting “%(title)s” on %(date)s at %(place)s."),
               link_to=target("governance.meeting", meeting_id=meeting.id),
               title=meeting.title, date=meeting.starts_at, place=meeting.place or "-")
    meeting.invitations_sent_at = now
    _mail_meeting(meeting, [member.user.id for member in members], "emails/meeting_invitation.html")
    record("governance.invitations_sent", meeting.id, actor=actor, count=len(members))
    db.session.commit()
    return len(members)


def set_attendance(meeting, present_ids, actor=None):
    """Record who came; only committee members can be marked present."""
    member_ids = {m.user.id for m in committee_members()}
    unknown = set(present_ids) - member_ids
    if unknown:
        raise _error("present_ids", lazy_gettext("Choose a member of the committee."))
    for user_id in member_ids:
        _attendance(meeting, user_id).present = user_id in present_ids
    record("governance.attendance", meeting.id, actor=actor, present=len(present_ids))
    db.session.commit()


def save_minutes(meeting, data, actor=None):
    meeting.minutes = data["minutes"]
    record("governance.minutes", meeting.id, actor=actor)
    db.session.commit()


def _decidable_project(project_id):
    from coopserv.projects.models import EVALUATION, ServiceProject

    project = _by_id(ServiceProject, project_id)
    if project is None:
        raise _error("project_id", lazy_gettext("Choose a project of this territory."))
    if project.stage != EVALUATION:
        raise _error("project_id", lazy_gettext("A decision is taken on a project in evaluation."))
    if db.session.scalar(select(AgendaItem.id).filter_by(project_id=project.id, vote_status=VOTE_OPEN).limit(1)):
        raise _error("project_id", lazy_gettext("A vote on this project is already open: close it first."))
    return project


#: Why a proposed rule is refused, by the part that asks less than the charter.
_WEAKER_MESSAGES = {
    "quorum_percent": lambda rule: lazy_gettext("The charter in force requires a quorum of at least "
                                                "%(quorum)s %% of the members.", quorum=rule.quorum_percent),
    "majority": lambda rule: lazy_gettext("The charter in force requires a two-thirds majority for this decision."),
    "each_college": lambda rule: lazy_gettext("The charter in force requires a majority in each college for this "
                                              "decision."),
}


def _vote_rule(kind, data):
    """The item's rule: the charter's for this kind of decision, made stricter where asked, never weaker."""
    charter = current_charter()
    required = decision_rule(kind, charter)
    proposed = voting.Rule(
        quorum_percent=required.quorum_percent if data.get("quorum_percent") is None else data["quorum_percent"],
        majority=data.get("majority") or required.majority,
        each_college=required.each_college if data.get("each_college") is None else data["each_college"])
    weaker = voting.weaker_parts(proposed, required)
    if weaker:
        raise ValidationError({part: [_WEAKER_MESSAGES[part](required)] for part in weaker})
    return proposed, charter


def add_agenda_item(meeting, data, actor=None):
    """Add an item; one with a vote is open for ballots at once, under the charter's rule for its kind.

    An item about a service project proposes its decision (perennial, iterate
    or stop): only such a vote, once closed, decides the project.
    """
    project = _decidable_project(data["project_id"]) if data.get("project_id") else None
    with_vote = bool(data.get("with_vote") or project)
    item = AgendaItem(title=data["title"], proposal=data.get("proposal", ""), position=len(meeting.items) + 1,
                      vote_status=VOTE_OPEN if with_vote else NO_VOTE,
                      project_id=project.id if project else None,
                      project_outcome=data.get("project_outcome") if project else None,
                      collective_need_id=data.get("collective_need_id"))
    if with_vote:
        kind = item.project_outcome if project else voting.GENERAL_DECISION
        rule, charter = _vote_rule(kind, data)
        item.quorum_percent, item.majority, item.each_college = rule.quorum_percent, rule.majority, rule.each_college
        item.charter_version_id = charter.id if charter else None
    if project and not item.proposal:
        item.proposal = item.title
    meeting.items.append(item)
    db.session.flush()
    record("governance.agenda_item", item.id, actor=actor, title=item.title, vote=item.vote_status)
    if item.vote_status == VOTE_OPEN:
        _mail_committee("emails/vote_opened.html", meeting, item=item.title, proposal=item.proposal,
                        majority=item.majority, quorum=item.quorum_percent)
    db.session.commit()
    return item


def next_meeting(now=None):
    """The committee's next meeting (the first one still to start), or None."""
    return db.session.scalar(select(Meeting).where(Meeting.starts_at > (now or utcnow()))
                             .order_by(Meeting.starts_at, Meeting.id).limit(1))


def next_meeting_columns(now=None):
    """The next meeting's id, title and start as SQL expressions, for a page reading them beside its figures.

    ``NextMeeting.of(values)`` makes the page's meeting (or None) of what they read.
    """
    def column(attribute):
        return (select(attribute).where(Meeting.starts_at > (now or utcnow()))
                .order_by(Meeting.starts_at, Meeting.id).limit(1).scalar_subquery())

    return {"next_meeting_id": column(Meeting.id), "next_meeting_title": column(Meeting.title),
            "next_meeting_starts_at": column(Meeting.starts_at)}


@dataclass(frozen=True)
class NextMeeting:
    """What a page shows of the next meeting: its link, title and start."""

    id: int
    title: str
    starts_at: datetime

    @classmethod
    def of(cls, values):
        if values.get("next_meeting_id") is None:
            return None
        return cls(values["next_meeting_id"], values["next_meeting_title"], values["next_meeting_starts_at"])


def upcoming_item_for(collective, now=None):
    """The item putting a collective need on a meeting still to come, if there is one."""
    return db.session.scalar(select(AgendaItem).join(Meeting, Meeting.id == AgendaItem.meeting_id)
                             .where(AgendaItem.collective_need_id == collective.id,
                                    Meeting.starts_at > (now or utcnow())).limit(1))


def put_collective_on_agenda(collective, actor=None, now=None):
    """Put a collective need that passed the threshold on the next meeting's agenda (once); return the item."""
    from coopserv.needs.services import breakdown

    if collective.flagged_at is None:
        raise _error("_schema", lazy_gettext("This collective need has not passed the territory's threshold."))
    existing = upcoming_item_for(collective, now)
    if existing is not None:
        return existing
    meeting = next_meeting(now)
    if meeting is None:
        raise _error("_schema", lazy_gettext("No committee meeting is planned: plan the next one first."))
    totals = breakdown(collective)
    title = str(lazy_gettext("Collective need: %(title)s", title=collective.title))
    proposal = str(lazy_gettext(
        "Study the feasibility of a service for this need: %(companies)s and %(employees)s concerned.",
        companies=ngettext("%(num)d company", "%(num)d companies", totals.companies),
        employees=ngettext("%(num)d employee", "%(num)d employees", totals.employees)))
    return add_agenda_item(meeting, {"title": title[:200], "proposal": proposal, "collective_need_id": collective.id},
                           actor)


def _mail_committee(template, meeting, **context):
    """E-mail every committee member about ``meeting`` (votes opened and their results)."""
    from coopserv.emails.categories import COMMITTEE
    from coopserv.emails.services import send_email_to_users

    send_email_to_users([member.user.id for member in committee_members()], COMMITTEE, template,
                        link_to=target("governance.meeting", meeting_id=meeting.id), meeting=meeting.title,
                        **context)


def get_item(item_id):
    return _by_id(AgendaItem, item_id)


def _lock(item):
    """Reload the item locked (PostgreSQL), so a ballot and the closing of its vote never interleave."""
    db.session.scalar(select(AgendaItem).filter_by(id=item.id).with_for_update().execution_options(
        populate_existing=True))


def cast_vote(item, user, choice):
    """Record a committee member's vote, or change it while the vote is open."""
    if not is_committee_member(user):
        raise NotAllowed()
    _lock(item)
    if item.vote_status != VOTE_OPEN:
        raise _error("choice", lazy_gettext("This vote is closed."))
    vote = db.session.scalar(select(CommitteeVote).filter_by(item_id=item.id, user_id=user.id))
    if vote is None:
        vote = CommitteeVote(item_id=item.id, user_id=user.id, college=college_of(user), choice=choice)
        db.session.add(vote)
    vote.choice = choice
    vote.cast_at = utcnow()
    db.session.commit()
    return vote


def votes_of(item):
    return list(db.session.scalars(select(CommitteeVote).filter_by(item_id=item.id).order_by(CommitteeVote.id)))


def rule_of(item):
    return voting.Rule(quorum_percent=item.quorum_percent, majority=item.majority, each_college=item.each_college)


def votes_by_item(item_ids):
    """Every vote cast on these agenda items, by item id, in one query (a meeting page shows them all)."""
    found = {item_id: [] for item_id in item_ids}
    if item_ids:
        for vote in db.session.scalars(select(CommitteeVote).where(CommitteeVote.item_id.in_(item_ids))
                                       .order_by(CommitteeVote.id)):
            found[vote.item_id].append(vote)
    return found


def live_count(item, members=None, votes=None):
    """Count the ballots as they stand, against today's committee (``votes``: the item's, if already read)."""
    ballots = [(v.college, v.choice) for v in (votes_of(item) if votes is None else votes)]
    return voting.count(ballots, members_by_college(members), rule_of(item))


def close_vote(item, actor=None):
    """Close the vote and store the result; for a project, record its decision, or that it was not adopted."""
    _lock(item)
    if item.vote_status != VOTE_OPEN:
        raise _error("choice", lazy_gettext("This vote is closed."))
    result = live_count(item)
    item.vote_status = VOTE_CLOSED
    item.result = result.decision
    item.result_reason = result.reason
    item.closed_at = utcnow()
    item.tally = {"totals": result.totals, "by_college": result.by_college, "members": result.members,
                  "voters": result.voters, "quorum_met": result.quorum_met,
                  "failed_colleges": result.failed_colleges}
    record("governance.vote_closed", item.id, actor=actor, result=result.decision, **result.totals)
    _mail_committee("emails/vote_result.html", item.meeting, item=item.title, result=result.decision,
                    reason=result.reason, votes=dict(result.totals))
    if item.project is not None:
        from coopserv.projects.decisions import apply_vote

        # The project's decision (or "not adopted") is committed with the item's result, or nothing is kept.
        apply_vote(item, actor)
    else:
        db.session.commit()
    return result


def items_of_project(project):
    """The agenda items that put a project to the committee's vote, oldest first, with their meetings (joined)."""
    return list(db.session.scalars(select(AgendaItem).filter_by(project_id=project.id)
                                   .options(joinedload(AgendaItem.meeting)).order_by(AgendaItem.id)))


# -- action items -------------------------------------------------------------------------------
def add_action(meeting, data, actor=None):
    owner = territory_member(data["owner_id"], "owner_id") if data.get("owner_id") else None
    action = ActionItem(title=data["title"], owner_id=owner.id if owner else None, due_on=data["due_on"])
    meeting.actions.append(action)
    db.session.flush()
    record("governance.action_added", action.id, actor=actor, title=action.title)
    if owner is not None:
        notify(owner.id, _l("An action is yours after the meeting “%(title)s”: %(action)s."),
               title=meeting.title, action=action.title)
    db.session.commit()
    return action


def get_action(action_id):
    return _by_id(ActionItem, action_id)


def set_action_status(action, status, actor=None):
    action.status = status
    record("governance.action_status", action.id, actor=actor, status=status)
    db.session.commit()
    return action


def overdue_actions(today=None):
    today = today or local_today()
    return list(db.session.scalars(select(ActionItem).where(ActionItem.status != "done", ActionItem.due_on < today)
                                   .order_by(ActionItem.due_on)))


def today():
    return local_today()

