"""Training days in the participant's private calendar feed, on Autun's clock."""
from datetime import datetime, time, timedelta

from icalendar import Calendar

from .conftest import add_session, enrol, next_monday


def test_each_training_day_is_in_the_participant_s_feed(login, autun, course, make_client):
    first_day = next_monday()
    session = add_session(autun.territory, course, first_day=first_day, days=2)
    employee = login(autun.employee)
    enrol(employee, session.id)
    page = employee.post_form("/t/autun-morvan/settings/calendar/renew").get_data(as_text=True)
    start = page.index('value="http://portal.test/calendar/')
    link = page[start + 7:page.index('"', start + 7)]
    feed = make_client().get(link.removeprefix("http://portal.test"))
    days = Calendar.from_ical(feed.get_data()).walk("VEVENT")
    assert [d.decoded("DTSTART").replace(tzinfo=None) for d in days] == [
        datetime.combine(first_day + timedelta(days=n), time(9, 0)) for n in (0, 1)]
    assert [d.decoded("DTEND").replace(tzinfo=None).time() for d in days] == [time(17, 0), time(17, 0)]
    assert all(str(d["DTSTART"].params["TZID"]) == "Europe/Paris" for d in days)
    assert str(days[0]["LOCATION"]) == "Campus des métiers, Autun"
    # A colleague who did not enrol has nothing.
    other = login(autun.colleague)
    page = other.post_form("/t/autun-morvan/settings/calendar/renew").get_data(as_text=True)
    start = page.index('value="http://portal.test/calendar/')
    assert Calendar.from_ical(make_client().get(
        page[start + 7:page.index('"', start + 7)].removeprefix("http://portal.test")).get_data()).walk("VEVENT") == []
