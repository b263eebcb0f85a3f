"""The getting-started checklist: the method's steps, each done or not according to the territory's data.

Every step's state comes from one SELECT of EXISTS tests (plus one for the latest project, whose
page several steps link to; the first organization, for which the first need is recorded, comes with the tests).
The "prerequisites" step asks each enabled service's ``prerequisites`` hook (memoised per request, shared with
the portal), so it adds one statement for the modules plus what each plugin's hook costs: bounded by the
number of services a territory enables, never by its data volume. The "preview" step is done once an admin
has started a preview as an employee (an audit entry written then).
"""
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select

from coopserv.accounts.models import ACTIVE, COMPANY_REFERENT, GOVERNANCE_MEMBER, Membership
from coopserv.accounts.preview import PREVIEW_STARTED
from coopserv.audit.models import AuditEntry
from coopserv.extensions import db
from coopserv.governance.models import CharterVersion
from coopserv.invitations.models import REVOKED, Invitation
from coopserv.modules import services as modules
from coopserv.modules.models import STOPPED, ServiceModule
from coopserv.needs.models import Need
from coopserv.organizations.models import Organization
from coopserv.projects.models import ProjectPartner, ProjectTarget, ServiceProject
from coopserv.service_requests.models import ServiceRequest


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    help: str
    url: str
    done: bool


def _flags():
    """Which steps the data shows as done, in one statement."""
    piloted = exists().where(ProjectPartner.pilot.is_(True))
    statement = select(
        exists().where(Organization.id.isnot(None)).label("organizations"),
        or_(exists().where(and_(Membership.role == COMPANY_REFERENT, Membership.status == ACTIVE)),
            exists().where(and_(Invitation.role == COMPANY_REFERENT, Invitation.status != REVOKED))).label("people"),
        exists().where(Need.id.isnot(None)).label("needs"),
        exists().where(ServiceProject.id.isnot(None)).label("project"),
        and_(exists().where(and_(Membership.role == GOVERNANCE_MEMBER, Membership.status == ACTIVE)),
             exists().where(CharterVersion.id.isnot(None))).label("committee"),
        and_(exists().where(ServiceProject.experiment_start.isnot(None)), piloted,
             exists().where(ProjectTarget.id.isnot(None))).label("pilots"),
        exists().where(and_(ServiceModule.enabled.is_(True), ServiceModule.stage != STOPPED)).label("services"),
        exists().where(AuditEntry.action == PREVIEW_STARTED).label("preview"),
        exists().where(ServiceRequest.id.isnot(None)).label("request"),
        select(Organization.id).order_by(Organization.name).limit(1).scalar_subquery().label("first_organization"),
    )
    return db.session.execute(statement).one()._asdict()


def _prerequisites_met():
    """True when at least one service is enabled and every enabled service's prerequisites are met."""
    enabled = [module for module in modules.list_modules(enabled_only=True) if module.stage != STOPPED]
    return bool(enabled) and not any(modules.unmet_prerequisites(module) for module in enabled)


def _latest_project():
    return db.session.execute(select(ServiceProject.id, ServiceProject.service_key)
                              .order_by(ServiceProject.id.desc()).limit(1)).first()


def checklist():
    """The steps in the method's order, each with its link and done state."""
    flags, project = _flags(), _latest_project()
    project_url = url_for("projects.detail", project_id=project.id) if project else url_for("projects.index")
    service_url = (url_for("modules.configure", service_key=project.service_key)
                   if project and project.service_key else url_for("modules.index"))
    # Needs are first collected by the admin, for an organization (heard at a meeting…).
    needs_url = (url_for("needs.new", organization_id=flags["first_organization"]) if flags["first_organization"]
                 else url_for("needs.board"))
    rows = [
        ("organizations", _l("Add the organizations"),
         _l("Companies, public bodies and associations taking part."), url_for("admin.organizations_page")),
        ("people", _l("Invite people and name company referents"),
         _l("Referents answer for their company and pass the sign-up link on to employees."),
         url_for("admin.members", _anchor="invite")),
        ("needs", _l("Collect needs"),
         _l("Record what companies and employees need, or open a needs campaign."), needs_url),
        ("project", _l("Group needs and launch a project"),
         _l("One action on a need or a collective need starts a service project."), url_for("needs.board")),
        ("committee", _l("Set up the steering committee and its charter"),
         _l("The committee decides what is tried and what goes on."), url_for("governance.committee")),
        ("pilots", _l("Choose pilots, targets and dates"),
         _l("On the project page: pilot organizations, the experiment period and a target."), project_url),
        ("prerequisites", _l("Meet the service's prerequisites"),
         _l("What must exist before an employee can use the service."), service_url),
        ("preview", _l("Preview the service as an employee"),
         _l("See what a pilot organization's employees will see."), service_url),
        ("request", _l("Follow the first request and its indicator"),
         _l("The first request made by an employee counts in the indicators."), url_for("indicators.dashboard")),
    ]
    # Without an enabled service there is nothing to ask: no statement spent on the modules.
    flags["prerequisites"] = flags["services"] and _prerequisites_met()
    return [Step(key, label, help_text, url, bool(flags[key])) for key, label, help_text, url in rows]


def next_step(steps):
    return next((step for step in steps if not step.done), None)
