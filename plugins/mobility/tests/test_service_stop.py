"""When mobility stops, commutes stop matching, crews end and bookings still to come are cancelled."""
from datetime import timedelta

from coopserv_plugins.mobility.models import (
    BikeBooking,
    BikePool,
    Commute,
    Crew,
    CrewMember,
    Proposal,
    ShuttleBooking,
    ShuttleRun,
)
from sqlalchemy import func, select

from coopserv.plugin_api import db, utcnow
from coopserv.testing import Notification

from .conftest import commute_form, publish


def _answer(client, proposal_id, answer):
    return client.post_json(f"/t/ouest-rhodanien/mobility/proposals/{proposal_id}/answer", {"answer": answer})


def test_stopping_the_service_ends_crews_and_cancels_bookings_to_come(people, ouest, scoped):
    with scoped(ouest.territory):
        past_run = ShuttleRun(business_park_id=ouest.tuburon.id, origin="Gare", departs_at=utcnow() - timedelta(days=1),
                              seats=3)
        run = ShuttleRun(business_park_id=ouest.tuburon.id, origin="Gare de Tarare",
                         departs_at=utcnow() + timedelta(days=2), seats=3)
        pool = BikePool(business_park_id=ouest.pins.id, name="E-bikes des Pins", kind="ebike", bikes=2)
        db.session.add_all([past_run, run, pool])
        db.session.commit()
        db.session.add(ShuttleBooking(run_id=past_run.id, user_id=ouest.second.id, seats=1))
        db.session.commit()
    publish(people.driver, commute_form(ouest, "offer", town="Amplepuis", seats="2"))
    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    publish(people.second, commute_form(ouest, "request", town="Tarare"))
    with scoped(ouest.territory):
        first, pending = db.session.scalars(select(Proposal.id).order_by(Proposal.id)).all()[:2]
    _answer(people.driver, first, "accept")
    _answer(people.passenger, first, "accept")
    assert people.second.post_json(f"/t/ouest-rhodanien/mobility/shuttle/{run.id}/book", {"seats": 2}).status_code == 201
    day = (utcnow() + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    assert people.driver.post_json(f"/t/ouest-rhodanien/mobility/bikes/{pool.id}/book", {
        "starts_at": day.isoformat(), "ends_at": (day + timedelta(hours=4)).isoformat()}).status_code == 201

    assert people.admin.post_form("/t/ouest-rhodanien/admin/modules/mobility/settings",
                                  {"stage": "stopped", "access": "open"}).status_code == 302

    with scoped(ouest.territory):
        assert db.session.scalar(select(func.count(Commute.id)).where(Commute.active.is_(True))) == 0
        crew = db.session.scalar(select(Crew))
        assert crew.active is False and crew.ended_at is not None
        assert db.session.scalar(select(func.count(CrewMember.id)).where(CrewMember.active.is_(True))) == 0
        assert db.session.get(Proposal, pending).status == "closed"
        # Seats and bikes to come are free again; what already happened stays.
        assert db.session.scalars(select(ShuttleBooking.run_id)).all() == [past_run.id]
        assert db.session.scalar(select(func.count(BikeBooking.id))) == 0
        told = db.session.scalars(select(Notification.message).where(
            Notification.user_id.in_((ouest.second.id, ouest.driver.id)),
            Notification.message.contains("cancelled: the service stopped"))).all()
    assert sorted(told) == ["Your bike booking of %(date)s is cancelled: the service stopped.",
                            "Your shuttle seats of %(date)s are cancelled: the service stopped."]
