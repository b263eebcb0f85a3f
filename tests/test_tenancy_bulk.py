"""Tenant scoping also covers ORM bulk UPDATE and DELETE, and knows its tenant tables without recomputing them."""
import pytest
from sqlalchemy import delete, func, select, update

from coopserv.extensions import db
from coopserv.organizations.models import Organization
from coopserv.tenancy import ALL_TERRITORIES, TENANT_TABLES, UnscopedQueryError, territory_scope


@pytest.fixture
def two(make_territory, make_organization):
    figeac, autun = make_territory("figeac", "Figeac"), make_territory("autun", "Autun")
    make_organization(figeac, "Figeac Aéro")
    make_organization(autun, "Morvan Électronique")
    return figeac, autun


def _names():
    return sorted(db.session.scalars(select(Organization.name).execution_options(**{ALL_TERRITORIES: True})))


def test_bulk_update_changes_only_the_current_territory(app, two):
    figeac, _autun = two
    with territory_scope(figeac):
        changed = db.session.execute(update(Organization).values(name=Organization.name + " (renamed)")).rowcount
        db.session.commit()
    assert changed == 1
    assert _names() == ["Figeac Aéro (renamed)", "Morvan Électronique"]


def test_bulk_delete_removes_only_the_current_territory(app, two):
    figeac, _autun = two
    with territory_scope(figeac):
        removed = db.session.execute(delete(Organization).where(Organization.name.like("%"))).rowcount
        db.session.commit()
    assert removed == 1 and _names() == ["Morvan Électronique"]


def test_bulk_statements_without_a_territory_are_refused_unless_all_are_meant(app, two):
    with pytest.raises(UnscopedQueryError):
        db.session.execute(update(Organization).values(employee_count=0))
    with pytest.raises(UnscopedQueryError):
        db.session.execute(delete(Organization))
    db.session.rollback()
    everywhere = db.session.execute(update(Organization).values(employee_count=3)
                                    .execution_options(**{ALL_TERRITORIES: True})).rowcount
    db.session.commit()
    assert everywhere == 2
    assert db.session.scalar(select(func.sum(Organization.employee_count))
                             .execution_options(**{ALL_TERRITORIES: True})) == 6


def test_tenant_tables_are_known_once_and_complete(app):
    from coopserv.tenancy import TenantMixin

    expected = {mapper.local_table.name for mapper in db.Model.registry.mappers
                if issubclass(mapper.class_, TenantMixin)}
    assert expected <= TENANT_TABLES
    assert {"organization", "service_request", "concierge_order"} <= TENANT_TABLES
    assert "user" not in TENANT_TABLES and "territory" not in TENANT_TABLES
