"""Local time: stored UTC, shown and typed in the territory's zone, across the last Sundays of March and October."""
from datetime import date, datetime, time, timedelta

import pytest
from marshmallow import ValidationError

from coopserv import timeutil
from coopserv.timeutil import (
    LocalDateTime,
    format_clock,
    format_day,
    format_when,
    format_when_short,
    local_day_bounds,
    local_input,
    to_local,
    to_utc,
)


class Paris:
    timezone = "Europe/Paris"


class Noumea:
    timezone = "Pacific/Noumea"


PARIS = Paris()


def test_a_french_reader_sees_the_day_the_date_and_the_hour_without_seconds_or_zone():
    moment = datetime(2026, 12, 3, 17, 30)  # 18:30 in Paris (winter)
    assert format_when(moment, PARIS, locale="fr") == "jeudi 3 décembre 2026, 18 h 30"
    assert format_when(moment, PARIS, locale="en") == "Thursday 3 December 2026, 6:30\u202fPM" or \
        format_when(moment, PARIS, locale="en").replace("\u202f", " ") == "Thursday 3 December 2026, 6:30 PM"
    assert format_when_short(moment, PARIS, locale="fr") == "3 déc. 2026, 18 h 30"
    assert format_day(moment, PARIS, locale="fr") == "jeudi 3 décembre 2026"
    assert format_clock(time(9, 0), PARIS, locale="fr") == "9 h 00"
    assert format_when(moment, Noumea(), locale="fr") == "vendredi 4 décembre 2026, 4 h 30"
    assert local_input(moment, PARIS) == "2026-12-03T18:30"


def test_last_sunday_of_march_the_clock_jumps_from_2_to_3():
    day = date(2026, 3, 29)
    start, end = local_day_bounds(day, PARIS)
    assert (start, end) == (datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 22, 0))
    assert end - start == timedelta(hours=23)
    assert to_utc(datetime(2026, 3, 29, 1, 59), PARIS) == datetime(2026, 3, 29, 0, 59)
    assert to_utc(datetime(2026, 3, 29, 3, 0), PARIS) == datetime(2026, 3, 29, 1, 0)
    # 2:30 does not exist that night: it is read as 3:30 (moved forward by the gap).
    assert to_utc(datetime(2026, 3, 29, 2, 30), PARIS) == datetime(2026, 3, 29, 1, 30)
    assert format_clock(datetime(2026, 3, 29, 0, 30), PARIS, locale="fr") == "1 h 30"
    assert format_clock(datetime(2026, 3, 29, 1, 30), PARIS, locale="fr") == "3 h 30"
    # The same wall-clock time on both sides of the change is one hour apart less in UTC.
    assert to_utc(datetime(2026, 3, 29, 8, 0), PARIS) - to_utc(datetime(2026, 3, 28, 8, 0), PARIS) == \
        timedelta(hours=23)


def test_last_sunday_of_october_the_clock_goes_back_from_3_to_2():
    day = date(2026, 10, 25)
    start, end = local_day_bounds(day, PARIS)
    assert end - start == timedelta(hours=25)
    # 2:30 happens twice: it means the first one (summer time).
    assert to_utc(datetime(2026, 10, 25, 2, 30), PARIS) == datetime(2026, 10, 25, 0, 30)
    assert format_clock(datetime(2026, 10, 25, 0, 30), PARIS, locale="fr") == "2 h 30"
    assert format_clock(datetime(2026, 10, 25, 1, 30), PARIS, locale="fr") == "2 h 30"
    assert to_local(datetime(2026, 10, 25, 1, 30), PARIS).utcoffset() == timedelta(hours=1)
    # An explicit offset wins over the zone.
    field = LocalDateTime()
    assert field.deserialize("2026-10-25T02:30+01:00") == datetime(2026, 10, 25, 1, 30)


def test_typed_times_follow_the_territory_in_scope(app, make_territory, scoped):
    paris, noumea = make_territory(slug="figeac"), make_territory(slug="noumea", timezone="Pacific/Noumea")
    field = LocalDateTime()
    with scoped(paris):
        assert field.deserialize("2027-03-27T07:45") == datetime(2027, 3, 27, 6, 45)
        assert field.deserialize("2027-03-28T07:45") == datetime(2027, 3, 28, 5, 45)
    with scoped(noumea):
        assert field.deserialize("2027-03-28T07:45") == datetime(2027, 3, 27, 20, 45)
    with pytest.raises(ValidationError):
        field.deserialize("28/03/2027 7h45")


def test_shuttle_departures_are_typed_and_shown_on_the_local_clock_across_the_change(app, make_territory, scoped):
    from coopserv_plugins.mobility.schemas import ShuttleRunSchema

    territory = make_territory(slug="tarare")
    with scoped(territory):
        before = ShuttleRunSchema().load({"business_park_id": 1, "origin": "Gare de Tarare", "seats": 8,
                                          "departs_at": "2027-03-26T07:45"})["departs_at"]
        after = ShuttleRunSchema().load({"business_park_id": 1, "origin": "Gare de Tarare", "seats": 8,
                                         "departs_at": "2027-03-29T07:45"})["departs_at"]
        assert (before.hour, after.hour) == (6, 5)
        assert format_clock(before, locale="fr") == format_clock(after, locale="fr") == "7 h 45"


def test_parking_reservations_over_the_night_of_the_change_last_their_real_length(app, make_territory, scoped):
    from coopserv_plugins.smart_parking.schemas import LocalDateTime as ParkingField

    territory = make_territory(slug="autun")
    field = ParkingField()
    with scoped(territory):
        start = field.deserialize("2026-10-25T01:00")
        end = field.deserialize("2026-10-25T05:00")
        assert end - start == timedelta(hours=5)  # the hour between 2 and 3 happens twice
        start = field.deserialize("2027-03-28T01:00")
        end = field.deserialize("2027-03-28T05:00")
        assert end - start == timedelta(hours=3)


def test_today_is_the_territory_s_day_not_utc_s(app, make_territory, scoped, monkeypatch):
    territory = make_territory(slug="figeac")
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 10, 24, 22, 30))  # 00:30 on the 25th in Paris
    with scoped(territory):
        assert timeutil.local_today() == date(2026, 10, 25)
        from coopserv_plugins.concierge import services as concierge

        assert concierge.today() == date(2026, 10, 25)


def test_pages_show_local_times_and_the_admin_sets_the_zone(client, make_territory, make_user, scoped):
    from coopserv.governance import services

    territory = make_territory(slug="figeac", name="Figeac")
    admin = make_user(territory, "territory_admin")
    with scoped(territory):
        meeting = services.create_meeting({"title": "Comité", "starts_at": datetime(2030, 1, 15, 17, 30)})
    client.login(admin)
    page = client.get(f"/t/figeac/governance/meetings/{meeting.id}").get_data(as_text=True)
    assert "mardi 15 janvier 2030, 18 h 30" in page and "UTC" not in page and "temps universel" not in page
    assert 'value="2030-01-15T18:30"' in page  # the edit form shows the local time too

    bad = client.post_form("/t/figeac/admin/territory", {"timezone": "Europe/Figeac"})
    assert bad.status_code == 422 and 'id="timezone-error"' in bad.get_data(as_text=True)
    assert client.post_form("/t/figeac/admin/territory", {"timezone": "America/Cayenne"}).status_code == 302
    page = client.get(f"/t/figeac/governance/meetings/{meeting.id}").get_data(as_text=True)
    assert "mardi 15 janvier 2030, 14 h 30" in page
    employee = make_user(territory, "employee")
    other = client.application.test_client()
    other.login(employee)
    assert other.get("/t/figeac/admin/territory").status_code == 403


def test_territory_create_takes_a_zone_and_refuses_unknown_ones(app):
    from coopserv.cli import main

    runner = app.test_cli_runner()
    refused = runner.invoke(main, ["territory", "create", "noumea", "Nouméa", "--timezone", "Mars/Olympus"])
    assert refused.exit_code != 0 and "timezone" in refused.output
    created = runner.invoke(main, ["territory", "create", "noumea", "Nouméa", "--timezone", "Pacific/Noumea"])
    assert created.exit_code == 0, created.output
    from coopserv.territories.services import get_territory

    assert get_territory("noumea").timezone == "Pacific/Noumea"


def test_dates_kept_in_request_payloads_are_shown_as_readers_say_them(app):
    """Queues and "My requests" summarise payload dates in the reader's language, not as ISO text."""
    from flask_babel import force_locale

    from coopserv.timeutil import format_payload_day

    assert format_payload_day("2026-12-03", PARIS, locale="fr") == "jeudi 3 décembre 2026"
    assert format_payload_day("2026-12-03", PARIS, locale="en") == "Thursday 3 December 2026"
    assert format_payload_day("", PARIS) == "" and format_payload_day("bientôt", PARIS) == "bientôt"
    kinds = app.extensions["coopserv"].service_types
    payloads = {"childminder_house": {"child_first_name": "Léo", "start_date": "2026-12-03"},
                "spouse_welcome": {"partner_first_name": "Ana", "profession": "infirmière",
                                   "arrival_date": "2026-12-03"},
                "coworking": {"day": "2026-12-03"}}
    with app.test_request_context(), force_locale("fr"):
        for key, payload in payloads.items():
            if key in kinds:
                summary = kinds[key].summarize(payload)
                assert "jeudi 3 décembre 2026" in summary and "2026-12-03" not in summary, (key, summary)
    assert {"childminder_house", "spouse_welcome"} <= set(kinds)


def test_json_answers_give_times_in_iso_8601_with_the_territory_offset(app, make_territory, scoped):
    """Whatever a view puts in its JSON (core or plugin), a time reads as the territory's clock with its offset."""
    from flask import json

    territory = make_territory(timezone="Europe/Paris")
    with scoped(territory), app.test_request_context():
        text = json.dumps({"at": datetime(2026, 12, 3, 17, 30), "day": date(2026, 3, 29), "hour": time(7, 10)})
    assert json.loads(text) == {"at": "2026-12-03T18:30:00+01:00", "day": "2026-03-29", "hour": "07:10:00"}
