"""Coworking desks: the journey through the portal and the API, bad input, isolation."""
from datetime import timedelta

from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, db, local_today, territory_scope


def _requests():
    return db.session.scalar(select(func.count(ServiceRequest.id)).execution_options(**{ALL_TERRITORIES: True}))


def test_employee_books_and_operator_confirms(make_client, place):
    slug = place.territory.slug
    employee = make_client()
    employee.login(place.employee)
    day = (local_today() + timedelta(days=2)).isoformat()
    response = employee.post_form(f"/t/{slug}/services/coworking/requests",
                                  {"resource_id": place.resource.id, "day": day})
    assert response.status_code == 302
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    operator = make_client()
    operator.login(place.operator)
    moved = operator.post_json(f"/t/{slug}/requests/{request_id}/transition", {"transition": "confirm"})
    assert moved.status_code == 200 and moved.get_json()["status"] == "confirmed"


def test_bad_booking_is_refused_and_stores_nothing(make_client, place):
    employee = make_client()
    employee.login(place.employee)
    response = employee.post_json(f"/t/{place.territory.slug}/services/coworking/requests",
                                  {"resource_id": 999, "day": "2001-01-01"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"resource_id", "day"}
    assert _requests() == 0


def test_api_lists_resources_with_a_token(client, place):
    from coopserv.testing import api_headers

    response = client.get(f"/api/v1/territories/{place.territory.slug}/coworking/resources",
                          headers=api_headers(place.employee, place.territory))
    assert response.status_code == 200 and response.get_json()[0]["name"] == "Room A"
    assert "/api/v1/territories/{territory_slug}/coworking/resources" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_other_territories_see_nothing(make_client, make_territory, make_user, place):
    stranger_territory = make_territory()
    stranger = make_client()
    stranger.login(make_user(stranger_territory, "territory_admin"))
    assert stranger.get(f"/t/{place.territory.slug}/coworking/manage").status_code in (403, 404)
    employee = make_client()
    employee.login(place.employee)
    assert employee.get(f"/t/{place.territory.slug}/coworking/manage").status_code == 403


def test_a_desk_is_booked_once_a_day_until_released(make_client, make_user, place):
    slug = place.territory.slug
    day = (local_today() + timedelta(days=3)).isoformat()
    first, second = make_client(), make_client()
    first.login(place.employee)
    second.login(make_user(place.territory, "employee", place.company))
    booked = first.post_json(f"/t/{slug}/services/coworking/requests", {"resource_id": place.resource.id, "day": day})
    assert booked.status_code == 201
    taken = second.post_json(f"/t/{slug}/services/coworking/requests", {"resource_id": place.resource.id, "day": day})
    assert taken.status_code == 422 and set(taken.get_json()["errors"]) == {"day"}
    assert first.post_json(f"/t/{slug}/requests/{booked.get_json()['id']}/transition",
                           {"transition": "cancel"}).status_code == 200
    again = second.post_json(f"/t/{slug}/services/coworking/requests", {"resource_id": place.resource.id, "day": day})
    assert again.status_code == 201


def test_the_database_refuses_a_second_live_booking(place):
    import pytest
    from coopserv_coworking.models import Booking
    from sqlalchemy.exc import IntegrityError

    with territory_scope(place.territory):
        day = local_today()
        for index in range(2):
            request = ServiceRequest(module_id=place.module.id, requester_id=place.employee.id, status="requested",
                                     payload={})
            db.session.add(request)
            db.session.flush()
            db.session.add(Booking(request_id=request.id, resource_id=place.resource.id, day=day))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
