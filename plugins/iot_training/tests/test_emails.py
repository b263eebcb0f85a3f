"""Training e-mails read back from a real SMTP server: enrolment, waiting list, promotion, the reminder the day before."""
from datetime import datetime, time, timedelta

from coopserv.plugin_api import combine, format_day

from .conftest import PREFIX, add_session, enrol, next_monday, status_of


def test_enrolment_waiting_list_promotion_and_reminder(app, login, autun, course, scoped, smtp_server):
    first_day = next_monday()
    small = add_session(autun.territory, course, first_day=first_day, capacity=1, minimum=1)
    first, second = login(autun.employee), login(autun.colleague)
    seated = enrol(first, small.id)
    waiting = enrol(second, small.id)
    [enrolled] = smtp_server.to(autun.employee.email)
    day = format_day(first_day, locale="fr")
    assert enrolled["Subject"] == f"Inscription : {course.title}, à partir du {day}"
    assert "de 9 h 00 à 17 h 00, à Campus des métiers, Autun" in smtp_server.text(enrolled)
    [queued] = smtp_server.to(autun.colleague.email)
    assert queued["Subject"] == f"Liste d’attente : {course.title}"

    smtp_server.clear()
    first.post_form(f"/t/autun-morvan/requests/{seated}/transition", {"transition": "withdraw"})
    assert status_of(waiting) == "enrolled"
    [promoted] = smtp_server.to(autun.colleague.email)
    assert promoted["Subject"].startswith("Une place pour vous :")
    assert smtp_server.to(autun.employee.email) == []

    # The day before, in Autun's calendar: 23:30 UTC on Sunday is already Monday in Paris, so "tomorrow" is
    # Tuesday there and nobody is reminded; 22:30 local on Sunday (20:30 or 21:30 UTC) reminds once.
    host = app.extensions["coopserv"]
    smtp_server.clear()
    with scoped(autun.territory):
        host.call_each("tick", territory=autun.territory, now=datetime.combine(first_day - timedelta(days=1),
                                                                               time(23, 30)))
        assert smtp_server.messages == []
        evening = combine(first_day - timedelta(days=1), time(22, 30), territory=autun.territory)
        for minutes in (0, 5):
            host.call_each("tick", territory=autun.territory, now=evening + timedelta(minutes=minutes))
    [reminder] = smtp_server.messages
    assert reminder["To"] == autun.colleague.email
    assert reminder["Subject"] == f"Demain : {course.title} à 9 h 00"


def test_a_cancelled_session_is_mailed_to_everyone_enrolled_or_waiting(login, autun, course, smtp_server):
    session = add_session(autun.territory, course, capacity=1, minimum=1)
    enrol(login(autun.employee), session.id), enrol(login(autun.colleague), session.id)
    smtp_server.clear()
    assert login(autun.operator).post_form(f"{PREFIX}/sessions/{session.id}/cancel"
                                           ).status_code == 302
    for person in (autun.employee, autun.colleague):
        [message] = smtp_server.to(person.email)
        assert "/requests/" in smtp_server.text(message) and smtp_server.html(message)
