"""Small helpers shared by the core tests: counting rows, placing orders, reading pages."""
import html
from datetime import timedelta

from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import local_today


def count_rows(model, **filters):
    """Count rows of ``model`` in every territory (so a leak elsewhere is counted too)."""
    query = select(func.count()).select_from(model).filter_by(**filters)
    return db.session.scalar(query.execution_options(**{ALL_TERRITORIES: True}))


def rows(model, **filters):
    """Load rows of ``model`` in every territory."""
    return db.session.scalars(select(model).filter_by(**filters).execution_options(**{ALL_TERRITORIES: True})).all()


def text_of(response):
    """The response body with HTML entities decoded, for plain substring checks."""
    return html.unescape(response.get_data(as_text=True))


def indicator_value(page, label):
    """The figure a dashboard card shows under ``label`` (None when it has no data)."""
    import re

    for card in re.findall(r'<section class="indicator".*?</section>', page, re.S):
        if f">{label}</h3>" in html.unescape(card):
            found = re.search(r'<span class="value">([^<]*)</span>', card)
            return found.group(1).strip() if found else None
    raise AssertionError(f"no card {label!r}")


def next_weekday(weekday, at_least_days=1):
    day = local_today() + timedelta(days=at_least_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def order_payload(catalogue, quantity=1, notes="Amidon léger"):
    """A valid concierge order as the JSON API takes it."""
    return {"items": [{"item_id": catalogue.shirt.id, "quantity": quantity}], "slot_id": catalogue.tuesday.id,
            "dropoff_date": next_weekday(1).isoformat(), "notes": notes}


def place_order(territory, module, user, organization, catalogue, notes="Amidon léger"):
    """Store an order through the core's service (no HTTP), as the portal would."""
    from coopserv.service_requests.services import submit_request

    with territory_scope(territory):
        return submit_request(module, user, organization, order_payload(catalogue, notes=notes))


def submit_order_over_http(client, slug, form):
    """Post the order form as a browser does; return the new request's id."""
    response = client.post_form(f"/t/{slug}/services/concierge/requests", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
