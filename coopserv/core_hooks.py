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
                     erase="anonymise", anonymised_values={"payload": {}}, label="service_requests"),
        PersonalData(StatusChange, "actor_id", ("request_id", "from_status", "to_status", "comment", "at"),
                     erase="anonymise", anonymised_values={"comment": ""}, label="status_changes"),
        PersonalData(AuditEntry, "actor_id", ("territory_id", "action", "target", "at"),
                     erase="anonymise", label="audit_entries"),
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
