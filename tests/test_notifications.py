"""In-app notifications: stored untranslated, shown in the reader's language, read per territory."""
from coopserv.notifications.models import Notification
from coopserv.notifications.services import notify
from tests.helpers import rows, text_of


def test_unread_badge_and_mark_all_read_stay_in_their_territory(make_client, make_user, figeac, autun, scoped):
    from coopserv.accounts.services import grant_role
    from coopserv.extensions import db

    with scoped(autun.territory):
        grant_role(figeac.employee, "employee", autun.company.id)
        notify(figeac.employee.id, "Your membership was approved: welcome!")
        db.session.commit()
    with scoped(figeac.territory):
        for _ in range(2):
            notify(figeac.employee.id, "Your request %(ref)s was received.", ref="#7")
        db.session.commit()
    employee = make_client()
    employee.login(figeac.employee)
    page = text_of(employee.get("/t/figeac/notifications"))
    assert page.count("Votre demande #7 a bien été reçue.") == 2
    assert "Votre adhésion" not in page and "welcome" not in page  # Autun's stays in Autun
    assert "Notifications — 2 non lues" in page  # the bell's unread count is this territory's only
    assert employee.post_form("/t/figeac/notifications/read").status_code == 302
    read = {n.territory_id: n.read_at is not None for n in rows(Notification, user_id=figeac.employee.id)}
    assert read == {figeac.territory.id: True, autun.territory.id: False}


def test_notification_parameters_are_translated_too(make_client, figeac, scoped):
    from coopserv.extensions import db

    with scoped(figeac.territory):
        notify(figeac.employee.id, "Your request %(ref)s is now: %(status)s.", ref="#3", status="Ready")
        db.session.commit()
    employee = make_client()
    employee.login(figeac.employee)
    assert "Votre demande #3 est maintenant : Prête." in text_of(employee.get("/t/figeac/notifications"))
