"""Row URLs built once per list (coopserv.urls.row_url) equal url_for, and the members page's links use them right."""
import pytest
from flask import url_for

from coopserv.urls import row_url


def test_a_row_url_is_the_url_for_of_that_row(app, figeac):
    with app.test_request_context(f"/t/{figeac.territory.slug}/admin/members"):
        for endpoint, key in (("admin.grant", "membership_id"), ("admin.export_personal_data", "user_id"),
                              ("requests.detail", "request_id")):
            build = row_url(endpoint, key, territory_slug=figeac.territory.slug)
            for row_id in (1, 7, 42, 2_147_483_646):
                assert build(row_id) == url_for(endpoint, **{key: row_id}, territory_slug=figeac.territory.slug)
        pages = row_url("admin.members", "page", territory_slug=figeac.territory.slug)
        assert pages(3) == url_for("admin.members", page=3, territory_slug=figeac.territory.slug)
        with pytest.raises(ValueError):  # only integer ids are put in
            row_url("admin.grant", "membership_id", territory_slug=figeac.territory.slug)("1 or 1")


def test_the_members_page_links_each_row_to_its_own_membership(client, figeac, make_user):
    pending = make_user(figeac.territory, "employee", figeac.organizations[0], status="pending")
    client.login(figeac.admin)
    page = client.get("/t/figeac/admin/members").get_data(as_text=True)
    from sqlalchemy import select

    from coopserv.accounts.models import Membership
    from coopserv.extensions import db
    from coopserv.tenancy import territory_scope

    with territory_scope(figeac.territory):
        memberships = db.session.scalars(select(Membership)).all()
    assert len(memberships) >= 3
    for membership in memberships:
        action = "approve" if membership.status == "pending" else "grant"
        assert f'action="/t/figeac/admin/members/{membership.id}/{action}"' in page
        assert f'action="/t/figeac/admin/members/{membership.id}/revoke"' in page
        assert f'href="/t/figeac/admin/people/{membership.user_id}/export"' in page
        assert f'href="/t/figeac/admin/people/{membership.user_id}/erase"' in page
    assert any(m.user_id == pending.id for m in memberships)
