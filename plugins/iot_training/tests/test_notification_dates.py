"""Training notifications keep the session's day as a date and say it in the reader's language when shown."""
import html
from datetime import timedelta

from sqlalchemy import select

from coopserv.plugin_api import db, format_day, plugin_host, utcnow
from coopserv.testing import Notification

from .conftest import add_session, enrol, next_monday, today


def test_a_cancelled_session_is_announced_with_its_day_in_the_readers_language(login, autun, course, scoped):
    first_day = next_monday(10)
    thin = add_session(autun.territory, course, first_day=first_day, minimum=3, deadline=today() + timedelta(days=2))
    employee = login(autun.employee)
    enrol(employee, thin.id)
    with scoped(autun.territory):
        plugin_host().call_each("tick", territory=autun.territory, now=utcnow() + timedelta(days=3))
    params = db.session.scalars(select(Notification.params).filter_by(user_id=autun.employee.id)
                                .execution_options(all_territories=True)).all()
    assert {"course": course.title, "date": {"$date": first_day.isoformat()}} in params

    french = html.unescape(employee.get("/t/autun-morvan/notifications").get_data(as_text=True))
    assert f"starting {first_day:%d/%m/%Y}" not in french
    assert format_day(first_day, autun.territory, "fr") in french  # "lundi 14 décembre 2026"
    employee.post_form("/language", {"lang": "en", "next": "/"})
    english = html.unescape(employee.get("/t/autun-morvan/notifications").get_data(as_text=True))
    assert f"starting {format_day(first_day, autun.territory, 'en')} is cancelled" in english
