"""The core's own hook implementations, registered like a plugin's (Datasette's DEFAULT_PLUGINS)."""
from coopserv.hookspecs import hookimpl
from coopserv.i18n import _l
from coopserv.service_types import PersonalData


@hookimpl
def register_personal_data():
    from coopserv.accounts.models import Membership
    from coopserv.audit.models import AuditEntry
    from coopserv.notifications.models import Notification
    from coopserv.service_requests.models import ServiceRequest, StatusChange

    return [
        PersonalData(Membership, "user_id", ("territory_id", "role", "status", "organization_id", "created_at"),
                     label="memberships",
                     title=_l("Your roles in the territory and your employer"),
                     purpose=_l("To show you the services your employer gives you access to, and to check rights.")),
        PersonalData(Notification, "user_id", ("territory_id", "message", "params", "created_at", "read_at"),
                     label="notifications",
                     title=_l("Notifications sent to you"),
                     purpose=_l("To tell you when your requests and the needs you follow move on.")),
        PersonalData(ServiceRequest, "requester_id", ("id", "territory_id", "module_id", "status", "payload",
                                                      "created_at"),
                     erase="anonymise", anonymised_values={"payload": {}}, label="service_requests",
                     title=_l("Your service requests and what you wrote in them"),
                     purpose=_l("To deliver the services you ask for and to count their use (anonymously).")),
        PersonalData(StatusChange, "actor_id", ("request_id", "from_status", "to_status", "comment", "at"),
                     erase="anonymise", anonymised_values={"comment": ""}, label="status_changes",
                     title=_l("Who moved a request along, and their comments"),
                     purpose=_l("To keep the history of each request.")),
        PersonalData(AuditEntry, "actor_id", ("territory_id", "action", "target", "at"),
                     erase="anonymise", label="audit_entries",
                     title=_l("Administrative actions you took"),
                     purpose=_l("To keep a record of who changed what, for accountability.")),
        *_cooperation_personal_data(),
    ]


def _cooperation_personal_data():
    """Needs, projects and governance keep what people said and did; erasure detaches it from them."""
    from coopserv.governance.models import (
        ActionItem,
        CommitteeSeat,
        CommitteeVote,
        EventRegistration,
        IdeaPitch,
        IdeaVote,
        MeetingAttendance,
        Risk,
    )
    from coopserv.needs.models import CampaignAnswer, Need, NeedSupport
    from coopserv.projects.models import SatisfactionAnswer
    from coopserv.tokens.models import AccessToken

    return [
        PersonalData(Need, "author_id", ("territory_id", "title", "description", "created_at"),
                     erase="anonymise", label="needs",
                     title=_l("Needs you expressed"), purpose=_l("To build services from what people need.")),
        PersonalData(NeedSupport, "user_id", ("need_id", "employees_affected"), erase="anonymise",
                     label="need_supports",
                     title=_l("Needs you support"), purpose=_l("To measure how many people share a need.")),
        PersonalData(CampaignAnswer, "user_id", ("campaign_id", "answers", "created_at"), erase="anonymise",
                     label="campaign_answers",
                     title=_l("Your answers to needs campaigns"), purpose=_l("To collect companies' needs.")),
        PersonalData(SatisfactionAnswer, "user_id", ("project_id", "score", "comment", "created_at"),
                     erase="anonymise", anonymised_values={"comment": ""}, label="satisfaction_answers",
                     title=_l("Your satisfaction answers"), purpose=_l("To evaluate pilot services with their users.")),
        PersonalData(CommitteeSeat, "user_id", ("territory_id",), label="committee_seats",
                     title=_l("Your seat on the steering committee"), purpose=_l("To run the shared governance.")),
        PersonalData(MeetingAttendance, "user_id", ("meeting_id",), label="meeting_attendance",
                     title=_l("Your attendance at committee meetings"), purpose=_l("To check the quorum of decisions.")),
        PersonalData(CommitteeVote, "user_id", ("item_id",), label="committee_votes",
                     title=_l("Your committee votes"), purpose=_l("To record who decided what, as the charter requires.")),
        PersonalData(EventRegistration, "user_id", ("event_id",), label="event_registrations",
                     title=_l("Events you registered for"), purpose=_l("To organise the events.")),
        PersonalData(IdeaPitch, "author_id", ("event_id", "title", "pitch", "submitted_at"), erase="anonymise",
                     label="ideas",
                     title=_l("Ideas you pitched"), purpose=_l("To turn ideas into service projects.")),
        PersonalData(IdeaVote, "user_id", ("idea_id",), label="idea_votes",
                     title=_l("Ideas you voted for"), purpose=_l("To count the votes of an event.")),
        PersonalData(ActionItem, "owner_id", ("meeting_id", "title", "due_on", "status"), erase="anonymise",
                     label="action_items",
                     title=_l("Action items you own"), purpose=_l("To follow up committee decisions.")),
        PersonalData(Risk, "owner_id", ("territory_id",), erase="anonymise", label="risk_ownership",
                     title=_l("Risks you follow"), purpose=_l("To follow up the risk register.")),
        PersonalData(AccessToken, "user_id", ("territory_id", "name", "created_at", "revoked_at"),
                     label="access_tokens",
                     title=_l("Your API access tokens"), purpose=_l("To let your tools use the API on your behalf.")),
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
