"""When smart parking stops, reservations stop holding their spots (hook module_stopped)."""
from coopserv_plugins.smart_parking.models import Reservation
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, db
from coopserv.testing import stop_module

from .test_reservations import SUBMIT, form


def test_stopping_the_service_releases_every_reservation(make_client, autun, lot, scoped):
    for user in (autun.employee, autun.colleague):
        client = make_client()
        client.login(user)
        assert client.post_form(SUBMIT, form(lot)).status_code == 302
    held = lambda: db.session.scalars(select(Reservation.holding).order_by(Reservation.id)
                                      .execution_options(**{ALL_TERRITORIES: True}, populate_existing=True)).all()
    assert held() == [True, True]
    with scoped(autun.territory):
        stop_module(autun.module, "The steering committee decided to stop this service.", autun.admin)
        assert [r.request.status for r in db.session.scalars(select(Reservation))] == ["service_stopped"] * 2
    assert held() == [False, False]
