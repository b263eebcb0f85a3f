"""When the coworking space stops, its bookings free their desks (hook module_stopped)."""
from datetime import timedelta

from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, db, local_today, territory_scope
from coopserv.testing import stop_module


def test_stopping_the_service_frees_every_booked_desk(make_client, make_user, place):
    from coopserv_coworking.models import Booking, Resource

    with territory_scope(place.territory):
        second_desk = Resource(name="Room B")
        db.session.add(second_desk)
        db.session.commit()
    day = (local_today() + timedelta(days=4)).isoformat()
    people = [place.employee, make_user(place.territory, "employee", place.company)]
    for person, desk in zip(people, (place.resource, second_desk)):
        client = make_client()
        client.login(person)
        assert client.post_json(f"/t/{place.territory.slug}/services/coworking/requests",
                                {"resource_id": desk.id, "day": day}).status_code == 201
    everywhere = {ALL_TERRITORIES: True, "populate_existing": True}
    active = lambda: db.session.scalars(select(Booking.active).order_by(Booking.id).execution_options(**everywhere)).all()
    assert active() == [True, True]
    with territory_scope(place.territory):
        stop_module(place.module, "The steering committee decided to stop this service.")
    assert db.session.scalars(select(ServiceRequest.status).execution_options(**everywhere)).all() == \
        ["service_stopped"] * 2
    assert active() == [False, False]
