"""The core's own hook implementations, registered like a plugin's (Datasette's DEFAULT_PLUGINS)."""
from coopserv.hookspecs import hookimpl
from coopserv.service_types import PersonalData


@hookimpl
def register_personal_data():
    from coopserv.accounts.models import Membership
    from coopserv.audit.models import AuditEntry
    from coopserv.notifications.models import Notification
    from coopserv.service_requests.models import ServiceRequest, StatusChange

    return [
        PersonalData(Membership, "user_id", ("territory_id", "role", "status", "organization_id", "created_at"),
                     label="memberships"),
        PersonalData(Notification, "user_id", ("territory_id", "message", "params", "created_at", "read_at"),
                     label="notifications"),
        PersonalData(ServiceRequest, "requester_id", ("id", "territory_id", "module_id", "status", "payload",
                                                      "created_at"),
                     erase="anonymise", anonymised_values={"payload": {}}, scrub=("payload",),
                     label="service_requests", confidential_rows=_requests_of_confidential_services),
        PersonalData(StatusChange, "actor_id", ("request_id", "from_status", "to_status", "comment", "at"),
                     erase="anonymise", anonymised_values={"comment": ""}, scrub=("comment",),
                     label="status_changes"),
        PersonalData(AuditEntry, "actor_id", ("territory_id", "action", "target", "at"),
                     erase="anonymise", label="audit_entries"),
        *_cooperation_personal_data(),
    ]


def _requests_of_confidential_services(rows):
    """Exported requests whose service keeps its contents from territory admins (ServiceType.confidential)."""
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.modules.models import ServiceModule
    from coopserv.plugin_host import plugin_host
    from coopserv.tenancy import ALL_TERRITORIES

    keys = [key for key, kind in plugin_host().service_types.items() if kind.confidential]
    if not keys or not rows:
        return []
    module_ids = set(db.session.scalars(select(ServiceModule.id).where(ServiceModule.service_key.in_(keys))
                                        .execution_options(**{ALL_TERRITORIES: True})))
    return [row for row in rows if row["module_id"] in module_ids]


def _cooperation_personal_data():
    """Needs, projects and governance keep what people said and did; erasure detaches it from them."""
    from coopserv.governance.models import (
        ActionItem,
        CharterSignature,
        CommitteeSeat,
        CommitteeVote,
        EventRegistration,
        IdeaPitch,
        IdeaVote,
        MeetingAttendance,
        Risk,
    )
    from coopserv.needs.models import CampaignAnswer, Need, NeedSupport
    from coopserv.projects.models import ProjectDecision, ProjectEvent, SatisfactionAnswer, ServiceProject
    from coopserv.tokens.models import AccessToken

    return [
        # A need others may have supported keeps its place on the board, without the author's words.
        PersonalData(Need, "author_id", ("territory_id", "title", "description", "sites", "shifts", "created_at"),
                     erase="anonymise", scrub=("title", "description", "sites", "shifts"), label="needs"),
        PersonalData(NeedSupport, "user_id", ("need_id", "employees_affected"), erase="anonymise",
                     label="need_supports"),
        PersonalData(CampaignAnswer, "user_id", ("campaign_id", "answers", "created_at"), erase="anonymise",
                     scrub=("answers",), label="campaign_answers"),
        PersonalData(SatisfactionAnswer, "user_id", ("project_id", "score", "comment", "created_at"),
                     erase="anonymise", anonymised_values={"comment": ""}, scrub=("comment",),
                     label="satisfaction_answers"),
        PersonalData(CommitteeSeat, "user_id", ("territory_id",), label="committee_seats"),
        PersonalData(MeetingAttendance, "user_id", ("meeting_id",), label="meeting_attendance"),
        PersonalData(CommitteeVote, "user_id", ("item_id",), label="committee_votes"),
        PersonalData(EventRegistration, "user_id", ("event_id",), label="event_registrations"),
        # An idea others voted for keeps its votes, without the author's words.
        PersonalData(IdeaPitch, "author_id", ("event_id", "title", "pitch", "submitted_at"), erase="anonymise",
                     scrub=("title", "pitch"), label="ideas"),
        PersonalData(IdeaVote, "user_id", ("idea_id",), label="idea_votes"),
        PersonalData(ActionItem, "owner_id", ("meeting_id", "title", "due_on", "status"), erase="anonymise",
                     label="action_items"),
        PersonalData(Risk, "owner_id", ("territory_id",), erase="anonymise", label="risk_ownership"),
        PersonalData(AccessToken, "user_id", ("territory_id", "name", "created_at", "revoked_at"),
                     scrub=("name",), label="access_tokens"),
        # Records of what the person did for the territory stay (they are the committee's and the
        # organization's), detached from them: a charter signed, a project led or moved, a decision.
        PersonalData(CharterSignature, "signed_by_id", ("version_id", "organization_id", "signed_on"),
                     erase="anonymise", label="charter_signatures"),
        PersonalData(ServiceProject, "lead_id", ("territory_id", "title"), erase="anonymise", label="projects_led"),
        PersonalData(ProjectEvent, "actor_id", ("project_id", "from_stage", "to_stage", "at"), erase="anonymise",
                     label="project_moves"),
        PersonalData(ProjectDecision, "actor_id", ("project_id", "outcome", "decided_on"), erase="anonymise",
                     label="project_decisions"),
    ]


@hookimpl
def indicator_targets(territory):
    """Targets set by service projects that reached the prototype stage (the latest project wins)."""
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.projects.models import ProjectTarget, ServiceProject

    rows = db.session.execute(
        select(ProjectTarget.indicator_key, ProjectTarget.target_value)
        .join(ServiceProject, ServiceProject.id == ProjectTarget.project_id)
        .where(ServiceProject.stage.in_(("prototype", "evaluation", "decided")))
        .order_by(ServiceProject.id)
    ).all()
    return {key: value for key, value in rows}


@hookimpl
def register_indicators():
    from coopserv.indicators.core import CORE_INDICATORS

    return CORE_INDICATORS
