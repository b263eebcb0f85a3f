"""The one place that writes organizations."""
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.organizations.models import Organization, new_invitation_code


def list_organizations():
    """The current territory's organizations, by name."""
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))


def _check_unique_name(name, exclude_id=None):
    query = select(Organization.id).filter_by(name=name)
    if exclude_id:
        query = query.where(Organization.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationError({"name": [_("An organization of this territory already has this name.")]})


def create_organization(data):
    """Create an organization in the current territory from validated data."""
    _check_unique_name(data["name"])
    organization = Organization(**data)
    db.session.add(organization)
    db.session.flush()
    record("organization.created", organization.name)
    db.session.commit()
    return organization


def update_organization(organization, data):
    _check_unique_name(data["name"], exclude_id=organization.id)
    for key, value in data.items():
        setattr(organization, key, value)
    record("organization.updated", organization.name)
    db.session.commit()
    return organization


def regenerate_invitation_code(organization):
    """Give the organization a new code; the old one stops working."""
    organization.invitation_code = new_invitation_code()
    record("organization.code_regenerated", organization.name)
    db.session.commit()
    return organization.invitation_code
