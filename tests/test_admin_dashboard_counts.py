"""The admin dashboard's counts: organizations, distinct members and pending sign-ups, of this territory only."""
import re


def _stat(page, label):
    match = re.search(r'<span class="value">(\d+)</span><a class="label" href="[^"]*">' + label, page)
    assert match, label
    return int(match.group(1))


def test_the_dashboard_counts_this_territorys_people_once_each(make_territory, make_organization, make_user,
                                                               make_client):
    here, there = make_territory("ici", "Ici"), make_territory("ailleurs", "Ailleurs")
    company = make_organization(here, "Atelier")
    make_organization(here, "Scierie")
    make_organization(there, "Ailleurs SA")
    admin = make_user(here, "territory_admin", company)
    employee = make_user(here, "employee", company)
    make_user(here, "company_referent", company, email=None)  # a third person
    from coopserv.accounts.models import Membership
    from coopserv.extensions import db
    from coopserv.tenancy import territory_scope

    with territory_scope(here):  # the same person with a second role counts once
        db.session.add(Membership(user_id=employee.id, role="company_referent", organization_id=company.id))
        db.session.commit()
    make_user(here, "employee", company, status="pending")
    make_user(here, "employee", company, status="pending")
    for _ in range(3):
        make_user(there, "employee", status="pending")
    client = make_client()
    client.login(admin)
    page = client.get("/t/ici/admin/").get_data(as_text=True)
    assert _stat(page, "organi") == 2
    assert _stat(page, "membre") == 5
    assert _stat(page, "inscription") == 2
