"""The tenancy listener: unscoped queries raise, scoped ones see one territory, writes stay at home."""
import pytest
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.organizations.models import Organization
from coopserv.tenancy import ALL_TERRITORIES, UnscopedQueryError


def test_unscoped_query_on_a_tenant_table_raises(figeac, autun):
    db.session.expunge_all()
    with pytest.raises(UnscopedQueryError):
        db.session.scalars(select(Organization)).all()


def test_scoped_query_returns_only_that_territorys_rows(figeac, autun, scoped):
    with scoped(figeac.territory):
        names = set(db.session.scalars(select(Organization.name)))
    assert names == {"Figeac Aéro", "Menuiserie du Célé"}
    with scoped(autun.territory):
        names = set(db.session.scalars(select(Organization.name)))
    assert names == {"Morvan Électronique"}


def test_scope_also_filters_orm_entities_and_joins(figeac, autun, scoped):
    from coopserv.accounts.models import Membership, User

    with scoped(autun.territory):
        emails = set(db.session.scalars(select(User.email).join(Membership, Membership.user_id == User.id)))
    assert emails == {"dominique@morvan.example", "admin@autun.example", "concierge@autun.example",
                      "colleague@autun-morvan.example", "referent@autun-morvan.example",
                      "governance@autun-morvan.example"}


def test_all_territories_opts_out_deliberately(figeac, autun):
    names = set(db.session.scalars(select(Organization.name).execution_options(**{ALL_TERRITORIES: True})))
    assert names == {"Figeac Aéro", "Menuiserie du Célé", "Morvan Électronique"}


def test_writing_a_row_of_another_territory_raises(figeac, autun, scoped):
    with scoped(figeac.territory):
        db.session.add(Organization(name="Intruse", territory_id=autun.territory.id))
        with pytest.raises(UnscopedQueryError):
            db.session.flush()
    db.session.rollback()
    with scoped(autun.territory):
        assert db.session.scalar(select(Organization).filter_by(name="Intruse")) is None


def test_moving_a_row_to_another_territory_raises(figeac, autun, scoped):
    with scoped(figeac.territory):
        organization = db.session.scalar(select(Organization).filter_by(name="Figeac Aéro"))
        organization.territory_id = autun.territory.id
        with pytest.raises(UnscopedQueryError):
            db.session.commit()
    db.session.rollback()
    with scoped(figeac.territory):
        assert db.session.scalar(select(Organization.territory_id).filter_by(name="Figeac Aéro")) == figeac.territory.id


def test_new_rows_take_the_territory_in_scope(figeac, scoped):
    with scoped(figeac.territory):
        organization = Organization(name="Scierie du Lot")
        db.session.add(organization)
        db.session.commit()
    assert organization.territory_id == figeac.territory.id


def test_unknown_territory_is_404(client, figeac):
    assert client.get("/t/nowhere/").status_code == 404
    assert client.get("/t/nowhere/admin/").status_code == 404


def test_a_tenant_table_only_joined_is_scoped_too(figeac, autun, scoped):
    from coopserv.accounts.models import Membership, User

    joined = select(User.email).join(Membership, Membership.user_id == User.id)
    with pytest.raises(UnscopedQueryError):
        db.session.scalars(joined).all()
    in_subquery = select(User.email).where(User.id.in_(select(Membership.user_id)))
    with pytest.raises(UnscopedQueryError):
        db.session.scalars(in_subquery).all()
    with scoped(figeac.territory):
        assert set(db.session.scalars(in_subquery)) == {
            "camille@aero.example", "lou@menuiserie.example", "rh@aero.example", "admin@figeac.example",
            "concierge@figeac.example", "governance@figeac.example"}


def test_the_guard_remembers_a_shape_not_a_verdict(figeac, autun, scoped):
    """The guard keeps, per statement shape, whether a tenant table is in it; each run is still scoped.

    The same shapes run first unscoped (refused), then in two territories (each sees its own rows),
    then unscoped again (still refused): what is remembered never lets a statement through.
    """
    from coopserv.accounts.models import Membership, User
    from coopserv.tenancy import _TOUCHES_BY_SHAPE

    def in_subquery(domain):
        return select(User.email).where(User.id.in_(select(Membership.user_id)), User.email.like(f"%{domain}"))

    def user_only(domain):
        return select(User.email).where(User.email.like(f"%{domain}"))

    with pytest.raises(UnscopedQueryError):
        db.session.scalars(in_subquery("aero.example")).all()
    assert _TOUCHES_BY_SHAPE[in_subquery("other.example")._generate_cache_key().key] is True  # this shape, remembered
    with scoped(figeac.territory):
        assert set(db.session.scalars(in_subquery(".example"))) >= {"camille@aero.example", "admin@figeac.example"}
        assert "admin@autun.example" not in set(db.session.scalars(in_subquery(".example")))
    with scoped(autun.territory):
        emails = set(db.session.scalars(in_subquery(".example")))
        assert "admin@autun.example" in emails and "admin@figeac.example" not in emails
    with pytest.raises(UnscopedQueryError):
        db.session.scalars(in_subquery("morvan.example")).all()
    # A shape without tenant tables is remembered as such and runs unscoped, with its own values each time.
    assert set(db.session.scalars(user_only("@aero.example"))) == {"camille@aero.example", "rh@aero.example"}
    assert set(db.session.scalars(user_only("@autun.example"))) == {"admin@autun.example", "concierge@autun.example"}


def test_the_remembered_shapes_are_bounded(figeac, scoped, monkeypatch):
    from coopserv import tenancy

    monkeypatch.setattr(tenancy, "_TOUCHES_BY_SHAPE", {})
    monkeypatch.setattr(tenancy, "_SHAPES_REMEMBERED", 3)
    with scoped(figeac.territory):
        for width in range(1, 8):  # seven shapes: one more selected column each
            statement = select(*[Organization.name] * width)
            assert db.session.execute(statement).all()
    assert len(tenancy._TOUCHES_BY_SHAPE) == 3
