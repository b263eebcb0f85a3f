"""Parking reservations are offered once a car park open to reservations has spots."""
from coopserv.testing import prerequisite_checklist, service_offered

from .conftest import build_lot


def test_parking_waits_for_a_reservable_lot_with_spots(make_client, autun):
    admin, employee = make_client(), make_client()
    admin.login(autun.admin)
    employee.login(autun.employee)
    todo, done, page = prerequisite_checklist(admin, "autun-morvan", "smart_parking")
    assert (todo, done) == (2, 0) and 'href="/t/autun-morvan/smart-parking/manage"' in page
    assert not service_offered(employee, "autun-morvan")

    build_lot(autun.territory, name="Parking fermé aux réservations", allow_reservations=False)
    assert prerequisite_checklist(admin, "autun-morvan", "smart_parking")[:2] == (2, 0)

    build_lot(autun.territory)
    assert prerequisite_checklist(admin, "autun-morvan", "smart_parking")[:2] == (0, 2)
    assert service_offered(employee, "autun-morvan")
