"""Committee e-mails read back from a real SMTP server: invitations and changes with .ics, votes opened and closed."""
from datetime import datetime

from icalendar import Calendar
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.governance.models import AgendaItem, Meeting
from coopserv.tenancy import ALL_TERRITORIES

BASE = "/t/grand-quercy/governance"


def _ics(message):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "meeting.ics"
    return Calendar.from_ical(part.get_content() if isinstance(part.get_content(), bytes)
                              else part.get_content().encode())


def _members(quercy):
    return [quercy.mayor, quercy.technician, quercy.leader, quercy.builder_boss, quercy.club_chair]


def test_invitation_and_change_reach_every_member_with_a_calendar_entry_in_local_time(quercy, login, smtp_server):
    admin = login(quercy.admin)
    # Typed on Paris' clock in winter (UTC+1).
    response = admin.post_form(f"{BASE}/meetings/new", {"title": "Comité de pilotage", "starts_at": "2030-01-15T18:30",
                                                        "place": "Mairie de Gourdon"})
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting).execution_options(**{ALL_TERRITORIES: True}))
    assert meeting.starts_at == datetime(2030, 1, 15, 17, 30)
    assert admin.post_form(f"{BASE}/meetings/{meeting.id}/invitations").status_code == 302

    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted(u.email for u in _members(quercy))
    message = smtp_server.to(quercy.mayor.email)[0]
    assert message["Subject"] == "Convocation : Comité de pilotage, 15 janv. 2030, 18 h 30"
    text = smtp_server.text(message)
    assert "Quand : mardi 15 janvier 2030, 18 h 30" in text and "Où : Mairie de Gourdon" in text
    assert "UTC" not in text and "18:30:00" not in text
    assert f"http://portal.test{BASE}/meetings/{meeting.id}" in text
    assert "Grand Quercy" in smtp_server.html(message) and message["List-Unsubscribe"]
    calendar = _ics(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2030, 1, 15, 18, 30, tzinfo=event.decoded("DTSTART").tzinfo)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Paris" and calendar.walk("VTIMEZONE")
    assert event["SUMMARY"] == "Comité de pilotage" and event["LOCATION"] == "Mairie de Gourdon"
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert sequence == 0

    # Moved to the next morning, after the change to summer time is not involved: same uid, next sequence.
    smtp_server.clear()
    response = admin.post_form(f"{BASE}/meetings/{meeting.id}/edit", {"title": "Comité de pilotage",
                                                                       "starts_at": "2030-01-16T09:00",
                                                                       "place": "Salle des fêtes"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 5
    changed = smtp_server.to(quercy.leader.email)[0]
    assert changed["Subject"].startswith("Modifiée : Comité de pilotage")
    assert "mercredi 16 janvier 2030, 9 h 00" in smtp_server.text(changed)
    [moved] = _ics(changed).walk("VEVENT")
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 1, 16, 9, 0)

    # A bad date is a field error and nothing is sent.
    smtp_server.clear()
    bad = admin.post_form(f"{BASE}/meetings/{meeting.id}/edit", {"title": "Comité", "starts_at": "demain"})
    assert bad.status_code == 422 and smtp_server.messages == []


def test_a_vote_opened_then_closed_is_mailed_to_the_committee(quercy, login, smtp_server):
    from coopserv.governance import services
    from coopserv.tenancy import territory_scope

    with territory_scope(quercy.territory):
        meeting = services.create_meeting({"title": "Comité de juin", "starts_at": datetime(2030, 6, 4, 16, 0)})
    admin = login(quercy.admin)
    admin.post_form(f"{BASE}/meetings/{meeting.id}/items", {
        "title": "Étude micro-crèche", "proposal": "Lancer l'étude", "with_vote": "true", "quorum_percent": "50",
        "majority": "simple"})
    assert len(smtp_server.messages) == 5
    opened = smtp_server.to(quercy.club_chair.email)[0]
    assert opened["Subject"] == "Vote ouvert : Étude micro-crèche"
    assert "Proposition : Lancer l'étude" in smtp_server.text(opened)
    item = db.session.scalar(select(AgendaItem).execution_options(**{ALL_TERRITORIES: True}))
    smtp_server.clear()
    for person in (quercy.mayor, quercy.leader, quercy.club_chair):
        login(person).post_form(f"{BASE}/items/{item.id}/vote", {"choice": "for"})
    assert smtp_server.messages == []  # ballots send nothing
    assert admin.post_json(f"{BASE}/items/{item.id}/close").status_code == 200
    result = smtp_server.to(quercy.mayor.email)[0]
    assert result["Subject"] == "Résultat du vote : Étude micro-crèche — Adoptée"
    assert "Pour : 3 · Contre : 0 · Abstention : 0" in smtp_server.text(result)
    assert len(smtp_server.messages) == 5
