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
                     erase="anonymise", anonymised_values={"payload": {}}, scrub=("payload",),
                     label="service_requests", confidential_rows=_requests_of_confidential_services,
                     title=_l("Your service requests and what you wrote in them"),
                     purpose=_l("To deliver the services you ask for and to count their use (anonymously).")),
        PersonalData(StatusChange, "actor_id", ("request_id", "from_status", "to_status", "comment", "at"),
                     erase="anonymise", anonymised_values={"comment": ""}, scrub=("comment",),
                     label="status_changes", title=_l("Who moved a request along, and their comments"),
                     purpose=_l("To keep the history of each request.")),
        PersonalData(AuditEntry, "actor_id", ("territory_id", "action", "target", "at"),
                     erase="anonymise", label="audit_entries",
                     title=_l("Administrative actions you took"),
                     purpose=_l("To keep a record of who changed what, for accountability.")),
        *_cooperation_personal_data(),
        *_network_personal_data(),
        *_email_personal_data(),
    ]


def _email_personal_data():
    """E-mail choices, messages waiting for a digest, and the private calendar link (its hash)."""
    from coopserv.calendar.models import CalendarFeedToken
    from coopserv.emails.models import DigestEntry, EmailPreference

    return [
        PersonalData(CalendarFeedToken, "user_id", ("prefix", "created_at", "last_used_at"),
                     label="calendar_links"),
        PersonalData(EmailPreference, "user_id", ("category", "mode", "updated_at"), label="email_preferences"),
        PersonalData(DigestEntry, "user_id", ("territory_id", "category", "template", "created_at", "sent_at"),
                     label="email_digest_entries"),
    ]


def _requests_of_confidential_services(rows):
    """Exported requests whose service keeps its contents from territory admins (ServiceType.confidential)."""
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.modules.models import ServiceModule
    from coopserv.accounts.access import confidential_service_keys
    from coopserv.tenancy import ALL_TERRITORIES

    keys = confidential_service_keys()
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
    from coopserv.committee_indicators.models import CommitteeIndicator, IndicatorFigure
    from coopserv.needs.models import CampaignAnswer, Need, NeedSupport
    from coopserv.projects.models import ProjectDecision, ProjectEvent, SatisfactionAnswer, ServiceProject
    from coopserv.tokens.models import AccessToken

    return [
        # A need others may have supported keeps its place on the board, without the author's words.
        PersonalData(Need, "author_id", ("territory_id", "title", "description", "sites", "shifts", "created_at"),
                     erase="anonymise", scrub=("title", "description", "sites", "shifts"), label="needs",
                     title=_l("Needs you expressed"), purpose=_l("To build services from what people need.")),
        PersonalData(NeedSupport, "user_id", ("need_id", "employees_affected"), erase="anonymise",
                     label="need_supports",
                     title=_l("Needs you support"), purpose=_l("To measure how many people share a need.")),
        PersonalData(CampaignAnswer, "user_id", ("campaign_id", "answers", "created_at"), erase="anonymise",
                     scrub=("answers",), label="campaign_answers",
                     title=_l("Your answers to needs campaigns"), purpose=_l("To collect companies' needs.")),
        PersonalData(SatisfactionAnswer, "user_id", ("project_id", "score", "comment", "created_at"),
                     erase="anonymise", anonymised_values={"comment": ""}, scrub=("comment",),
                     label="satisfaction_answers", title=_l("Your satisfaction answers"),
                     purpose=_l("To evaluate pilot services with their users.")),
        PersonalData(CommitteeSeat, "user_id", ("territory_id",), label="committee_seats",
                     title=_l("Your seat on the steering committee"), purpose=_l("To run the shared governance.")),
        PersonalData(MeetingAttendance, "user_id", ("meeting_id",), label="meeting_attendance",
                     title=_l("Your attendance at committee meetings"), purpose=_l("To check the quorum of decisions.")),
        PersonalData(CommitteeVote, "user_id", ("item_id",), label="committee_votes",
                     title=_l("Your committee votes"), purpose=_l("To record who decided what, as the charter requires.")),
        PersonalData(EventRegistration, "user_id", ("event_id",), label="event_registrations",
                     title=_l("Events you registered for"), purpose=_l("To organise the events.")),
        # An idea others voted for keeps its votes, without the author's words.
        PersonalData(IdeaPitch, "author_id", ("event_id", "title", "pitch", "submitted_at"), erase="anonymise",
                     scrub=("title", "pitch"), label="ideas",
                     title=_l("Ideas you pitched"), purpose=_l("To turn ideas into service projects.")),
        PersonalData(IdeaVote, "user_id", ("idea_id",), label="idea_votes",
                     title=_l("Ideas you voted for"), purpose=_l("To count the votes of an event.")),
        PersonalData(ActionItem, "owner_id", ("meeting_id", "title", "due_on", "status"), erase="anonymise",
                     label="action_items",
                     title=_l("Action items you own"), purpose=_l("To follow up committee decisions.")),
        PersonalData(Risk, "owner_id", ("territory_id",), erase="anonymise", label="risk_ownership",
                     title=_l("Risks you follow"), purpose=_l("To follow up the risk register.")),
        PersonalData(CommitteeIndicator, "reporter_id", ("territory_id", "name"), erase="anonymise",
                     label="indicators_reported", title=_l("Committee indicators you report"),
                     purpose=_l("To follow the committee's indicators.")),
        PersonalData(IndicatorFigure, "entered_by_id", ("indicator_id", "month", "value", "entered_at"),
                     erase="anonymise", label="indicator_figures", title=_l("Indicator figures you entered"),
                     purpose=_l("To follow the committee's indicators.")),
        PersonalData(AccessToken, "user_id", ("territory_id", "name", "created_at", "revoked_at"),
                     scrub=("name",), label="access_tokens",
                     title=_l("Your API access tokens"), purpose=_l("To let your tools use the API on your behalf.")),
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


def _network_personal_data():
    """Invitations and visitors' registrations name a person by address; network rows by account."""
    from coopserv.imports.models import ImportBatch
    from coopserv.invitations.models import Invitation
    from coopserv.legal.models import LegalPage
    from coopserv.network.models import (
        NetworkAuditEntry,
        NetworkEventRegistration,
        NetworkMember,
        NetworkToken,
        PracticeReplication,
        PracticeSheet,
    )
    from coopserv.public.models import PublicRegistration

    return [
        # An invitation names the person by address (before an account) and by account once accepted.
        PersonalData(Invitation, "accepted_user_id", ("territory_id", "email", "name", "role", "status",
                                                      "created_at"),
                     related=_by_address(Invitation.email, also=Invitation.accepted_user_id), label="invitations"),
        PersonalData(Invitation, "invited_by_id", ("territory_id", "role", "created_at"), erase="anonymise",
                     label="invitations_sent"),
        PersonalData(PublicRegistration, "email", ("territory_id", "event_id", "name", "email", "company",
                                                   "created_at"), related=_by_address(PublicRegistration.email),
                     label="public_event_registrations"),
        PersonalData(NetworkEventRegistration, "user_id", ("event_id", "from_territory_id", "registered_at",
                                                           "attended"), label="network_event_registrations"),
        PersonalData(NetworkEventRegistration, "registered_by_id", ("event_id", "registered_at"),
                     erase="anonymise", label="network_event_registrations_made"),
        PersonalData(NetworkMember, "user_id", ("network_id", "role", "created_at"), label="network_roles"),
        PersonalData(NetworkToken, "user_id", ("network_id", "name", "created_at", "revoked_at"),
                     label="network_tokens"),
        PersonalData(NetworkAuditEntry, "actor_id", ("network_id", "action", "target", "at"), erase="anonymise",
                     label="network_audit_entries"),
        PersonalData(LegalPage, "updated_by_id", ("territory_id", "kind", "updated_at"), erase="anonymise",
                     label="legal_pages_edited"),
        PersonalData(ImportBatch, "created_by_id", ("territory_id", "kind", "filename", "created_at"),
                     erase="anonymise", label="imports"),
        PersonalData(PracticeSheet, "published_by_id", ("network_id", "title", "published_at"), erase="anonymise",
                     label="practice_sheets"),
        PersonalData(PracticeReplication, "replicated_by_id", ("sheet_id", "territory_id", "replicated_at"),
                     erase="anonymise", label="practice_replications"),
    ]


def _by_address(column, also=None):
    """Rows naming the person by their (lower-case) address, for people who may have had no account yet.

    ``also`` is a user-id column that names the same person once they have an account.
    """
    from sqlalchemy import func, or_, select

    from coopserv.accounts.models import User

    def condition(user_id):
        address = column == select(func.lower(User.email)).where(User.id == user_id).scalar_subquery()
        return address if also is None else or_(address, also == user_id)

    return condition


@hookimpl
def indicator_targets(territory):
    """Targets the committee set on its own indicators, then those of service projects that reached the
    prototype stage (the latest project wins)."""
    from sqlalchemy import select

    from coopserv.committee_indicators.services import targets as committee_targets
    from coopserv.extensions import db
    from coopserv.projects.models import ProjectTarget, ServiceProject

    rows = db.session.execute(
        select(ProjectTarget.indicator_key, ProjectTarget.target_value)
        .join(ServiceProject, ServiceProject.id == ProjectTarget.project_id)
        .where(ServiceProject.stage.in_(("prototype", "evaluation", "decided")))
        .order_by(ServiceProject.id)
    ).all()
    return {**committee_targets(), **{key: value for key, value in rows}}


@hookimpl
def territory_indicators(territory):
    """The indicators the territory's steering committee defined."""
    from coopserv.committee_indicators.services import registry_indicators

    return registry_indicators()


@hookimpl
def register_indicators():
    from coopserv.indicators.core import CORE_INDICATORS

    return CORE_INDICATORS
