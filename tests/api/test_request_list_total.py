"""The API list's total (X-Pagination) equals the requests a reader really gets, page after page.

The total sums rollup cells for whole modules and counts only the reader's own
requests elsewhere; walking the ``Link`` chain counts what the list returns.
Both must agree for admins (confidential services hidden), operators and
employees, with and without filters, on the demo's four territories.
"""
import json

from sqlalchemy import select

from coopserv.accounts.models import Membership
from coopserv.extensions import db
from coopserv.service_requests.models import ServiceRequest
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.territories.models import Territory
from coopserv.tokens.services import create_token


def _walk(client, first_url, secret):
    """Every request id of the list, following the Link header; and the total the first page announced."""
    headers = {"Authorization": f"Bearer {secret}"}
    answer = client.get(first_url, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    total = json.loads(answer.headers["X-Pagination"])["total"]
    ids = [row["id"] for row in answer.get_json()]
    while "Link" in answer.headers:
        next_url = answer.headers["Link"].split(">")[0].lstrip("<")
        answer = client.get(next_url, headers=headers)
        ids += [row["id"] for row in answer.get_json()]
    assert len(ids) == len(set(ids))
    return total, ids


def _readers(territory):
    """The territory's first admin, first operator and an employee with requests."""
    roles = {}
    for membership in db.session.scalars(select(Membership).order_by(Membership.id)):
        roles.setdefault(membership.role, membership.user)
    requester = db.session.scalar(select(ServiceRequest.requester_id).order_by(ServiceRequest.id))
    readers = [roles[role] for role in ("territory_admin", "service_operator") if role in roles]
    readers += [membership.user for membership in db.session.scalars(
        select(Membership).filter_by(user_id=requester).limit(1))]
    return readers


def test_the_total_is_the_number_of_requests_the_list_returns(app, client):
    from coopserv.demo import seed_demo

    seed_demo()
    db.session.commit()
    checked = 0
    for territory in db.session.scalars(select(Territory).order_by(Territory.id)).all():
        with territory_scope(territory):
            readers = _readers(territory)
            secrets = [create_token(user, territory, "total")[1] for user in readers]
            db.session.commit()
        statuses = sorted(set(db.session.scalars(select(ServiceRequest.status).where(
            ServiceRequest.territory_id == territory.id).execution_options(**{ALL_TERRITORIES: True}))))
        base = f"/api/v1/territories/{territory.slug}/requests/?page_size=40"
        for secret in secrets:
            queries = ["", "&mine=true"] + [f"&status={status}" for status in statuses[:3]]
            queries += [f"&service_key={key}" for key in ("concierge", "spouse_welcome", "mobility")]
            for query in queries:
                total, ids = _walk(client, base + query, secret)
                assert total == len(ids), (territory.slug, query)
                checked += 1 if ids else 0
    assert checked >= 20  # non-empty lists were really compared, not only empty ones


def test_an_admin_total_leaves_out_confidential_requests_but_counts_their_own(app, client):
    """A territory admin's total skips the confidential service's requests, except the admin's own."""
    from coopserv.demo import seed_demo

    seed_demo()
    db.session.commit()
    for territory in db.session.scalars(select(Territory).order_by(Territory.id)):
        with territory_scope(territory):
            confidential = db.session.scalar(
                select(ServiceRequest).where(ServiceRequest.module.has(service_key="spouse_welcome")).limit(1))
            if confidential is not None:
                break
    assert confidential is not None, "the demo has a spouse-welcome request somewhere"
    with territory_scope(territory):
        everyone = db.session.scalar(select(db.func.count(ServiceRequest.id)))
        hidden = db.session.scalar(select(db.func.count(ServiceRequest.id)).where(
            ServiceRequest.module.has(service_key="spouse_welcome")))
        admin = db.session.scalar(select(Membership).filter_by(role="territory_admin").order_by(Membership.id)).user
        assert not db.session.scalar(select(Membership.id).filter_by(
            user_id=admin.id, role="service_operator", module_id=confidential.module_id))
        # The admin files a confidential request of their own: it counts for them, the others' do not.
        confidential.requester_id = admin.id
        db.session.commit()
        secret = create_token(admin, territory, "total")[1]
        db.session.commit()
    total, ids = _walk(client, f"/api/v1/territories/{territory.slug}/requests/?page_size=50", secret)
    assert hidden >= 1 and total == len(ids) == everyone - hidden + 1
    assert confidential.id in ids
