"""Calendar feeds: a private link per person (revocable), a territory's public feed, plugin entries, time zones."""
from datetime import date, datetime

from icalendar import Calendar

from coopserv.governance import events, services
from coopserv.plugin_api import CalendarEvent, hookimpl


def _feed_link(client, slug):
    page = client.post_form(f"/t/{slug}/settings/calendar/renew")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    start = body.index('id="calendar-url"')
    value = body[body.index('value="', start) + 7:]
    return value[:value.index('"')]


def _read(client, url):
    response = client.get(url.removeprefix("http://portal.test"))
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.get_data())


def test_private_feed_has_my_meetings_in_local_time_and_the_link_can_be_revoked(
        client, make_client, make_territory, make_organization, make_user, scoped):
    territory = make_territory(slug="figeac", name="Figeac")
    member = make_user(territory, "governance_member")
    outsider = make_user(territory, "employee")
    with scoped(territory):
        meeting = services.create_meeting({"title": "Comité de pilotage", "starts_at": datetime(2030, 3, 31, 16, 30),
                                           "place": "Mairie"})
    client.login(member)
    link = _feed_link(client, "figeac")
    assert link.startswith("http://portal.test/calendar/cal_")
    calendar = _read(make_client(), link)  # no session needed: the secret is the credential
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Comité de pilotage"
    # 16:30 UTC on the Monday after the change to summer time is 18:30 in Paris.
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 3, 31, 18, 30)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert str(event["UID"]) == f"meeting-{meeting.id}@figeac.coopserv"
    assert calendar.walk("VTIMEZONE")

    # An employee who is not on the committee does not see the meeting in their own feed.
    other = make_client()
    other.login(outsider)
    assert _read(make_client(), _feed_link(other, "figeac")).walk("VEVENT") == []

    # A new link replaces the old one; revoking stops it.
    second = _feed_link(client, "figeac")
    assert make_client().get(link.removeprefix("http://portal.test")).status_code == 404
    assert client.post_form("/t/figeac/settings/calendar/revoke").status_code == 302
    assert make_client().get(second.removeprefix("http://portal.test")).status_code == 404
    assert make_client().get("/calendar/cal_forged.ics").status_code == 404


def test_public_feed_lists_the_territory_s_events_only(client, make_territory, make_user, scoped):
    figeac = make_territory(slug="figeac", name="Figeac")
    make_territory(slug="autun", name="Autun")
    admin = make_user(figeac, "territory_admin")
    with scoped(figeac):
        events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                             "starts_at": datetime(2030, 10, 27, 17, 30), "place": "Espace Mitterrand"}, admin)
        services.create_meeting({"title": "Comité privé", "starts_at": datetime(2030, 10, 28, 16, 0)})
    calendar = _read(client, "/t/figeac/calendar.ics")
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Start Up de Territoire"
    # The Sunday the clocks go back: 17:30 UTC is 18:30 in Paris (winter time again).
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 10, 27, 18, 30)
    assert _read(client, "/t/autun/calendar.ics").walk("VEVENT") == []
    assert client.get("/t/nowhere/calendar.ics").status_code == 404


class WeeklyPlugin:
    """A plugin adding a weekly entry through the calendar_events hook."""

    @hookimpl
    def calendar_events(self, territory, user, since):
        if user is None:
            return [CalendarEvent(uid=f"public@{territory.slug}", title="Marché", starts_at=date(2030, 3, 30))]
        return [CalendarEvent(uid=f"weekly-{user.id}@{territory.slug}", title="Atelier",
                              starts_at=datetime(2030, 3, 25, 7, 30), ends_at=datetime(2030, 3, 25, 9, 30),
                              rrule={"freq": "weekly", "count": 3})]


def test_hook_calendar_events(app, client, make_territory, make_user):
    host = app.extensions["coopserv"]
    plugin = WeeklyPlugin()
    host.pm.register(plugin, name="weekly")
    try:
        territory = make_territory(slug="tarare")
        client.login(make_user(territory, "employee"))
        calendar = _read(client, _feed_link(client, "tarare"))
        [entry] = calendar.walk("VEVENT")
        assert str(entry["SUMMARY"]) == "Atelier"
        # 8:30 in Paris every week, before and after the change of the 31st: the rule repeats wall-clock time.
        assert entry.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 3, 25, 8, 30)
        assert entry["RRULE"]["FREQ"] == ["WEEKLY"]
        [public] = _read(client, "/t/tarare/calendar.ics").walk("VEVENT")
        assert public.decoded("DTSTART") == date(2030, 3, 30)
    finally:
        host.pm.unregister(plugin)
