"""The coordinator's pages: needs, courses and sessions, with bad input refused field by field."""
from datetime import timedelta

from coopserv_plugins.iot_training.models import (
    Course,
    SessionDay,
    SkillNeed,
    TrainingSession,
)
from sqlalchemy import select

from coopserv.plugin_api import db

from .conftest import PREFIX, add_session, count, enrol, next_monday, today


def _session_form(course, **changes):
    first = next_monday(21)
    values = {"course_id": str(course.id), "first_day": first.isoformat(),
              "last_day": (first + timedelta(days=2)).isoformat(), "starts_at": "09:00", "ends_at": "17:00",
              "place": "Campus des métiers, Autun", "trainer": "Sophie Garnier", "capacity": "8",
              "min_participants": "4", "registration_deadline": (first - timedelta(days=7)).isoformat()}
    values.update(changes)
    return values


def test_needs_are_declared_by_referents_and_shown_with_the_courses_addressing_them(login, autun, scoped):
    referent = login(autun.referent)
    bad = referent.post_form(f"{PREFIX}/needs", {"title": "x", "people_count": "0"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="title-error"' in page and 'id="people_count-error"' in page
    assert count(SkillNeed) == 0
    assert referent.post_form(f"{PREFIX}/needs", {"title": "Maintenance prédictive des tréfileuses",
                                                  "people_count": "8"}).status_code == 302
    with scoped(autun.territory):
        need = db.session.scalar(select(SkillNeed))
        assert (need.organization_id, need.declared_by_id, need.people_count) == (autun.nexans.id, autun.referent.id, 8)

    operator = login(autun.operator)
    refused = operator.post_form(f"{PREFIX}/courses", {"title": "Capteurs", "need_ids": "999999"})
    assert refused.status_code == 422 and count(Course) == 0
    created = operator.post_form(f"{PREFIX}/courses", {"title": "Capteurs connectés et maintenance prédictive",
                                                       "level": "beginner", "need_ids": str(need.id)})
    assert created.status_code == 302
    catalogue = login(autun.other).get(f"{PREFIX}/").get_data(as_text=True)
    assert "Capteurs connectés et maintenance prédictive" in catalogue
    assert "Maintenance prédictive des tréfileuses" in catalogue and "Nexans Autun" in catalogue
    needs_page = referent.get(f"{PREFIX}/needs").get_data(as_text=True)
    assert "Capteurs connectés et maintenance prédictive" in needs_page


def test_session_with_bad_dates_or_seats_is_refused_field_by_field(login, autun, course):
    operator = login(autun.operator)
    yesterday = (today() - timedelta(days=1)).isoformat()
    bad = operator.post_form(f"{PREFIX}/sessions", _session_form(
        course, first_day=yesterday, registration_deadline=yesterday, ends_at="08:00", capacity="3",
        min_participants="5"))
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    for field in ("first_day", "registration_deadline", "ends_at", "capacity"):
        assert f'id="{field}-error"' in page, field
    first = next_monday(21)
    backwards = operator.post_json(f"{PREFIX}/sessions", _session_form(
        course, last_day=(first - timedelta(days=1)).isoformat()))
    assert backwards.status_code == 422 and set(backwards.get_json()["errors"]) == {"last_day"}
    late_deadline = operator.post_json(f"{PREFIX}/sessions", _session_form(course, registration_deadline=first.isoformat()))
    assert set(late_deadline.get_json()["errors"]) == {"registration_deadline"}
    assert count(TrainingSession) == 0 and count(SessionDay) == 0

    created = operator.post_json(f"{PREFIX}/sessions", _session_form(course))
    assert created.status_code == 201
    session = db.session.scalar(select(TrainingSession).filter_by(id=created.get_json()["id"])
                                .execution_options(all_territories=True))
    assert [d.day for d in session.days] == [first, first + timedelta(days=1), first + timedelta(days=2)]
    assert session.status == "open"


def test_capacity_cannot_drop_below_the_people_enrolled(login, autun, course):
    session = add_session(autun.territory, course, capacity=3, minimum=1)
    enrol(login(autun.employee), session.id)
    enrol(login(autun.colleague), session.id)
    operator = login(autun.operator)
    values = _session_form(course, first_day=session.first_day.isoformat(), last_day=session.last_day.isoformat(),
                           registration_deadline=session.registration_deadline.isoformat(), capacity="1",
                           min_participants="1", place="Ailleurs")
    refused = operator.post_form(f"{PREFIX}/sessions/{session.id}/edit", values)
    assert refused.status_code == 422 and 'id="capacity-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    unchanged = db.session.scalar(select(TrainingSession).filter_by(id=session.id).execution_options(all_territories=True))
    assert (unchanged.capacity, unchanged.place) == (3, "Campus des métiers, Autun")
    accepted = operator.post_form(f"{PREFIX}/sessions/{session.id}/edit", dict(values, capacity="2"))
    assert accepted.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(TrainingSession.capacity).filter_by(id=session.id)
                             .execution_options(all_territories=True)) == 2


def test_raising_capacity_gives_the_new_seats_to_the_waiting_list(login, autun, course):
    from .conftest import status_of

    session = add_session(autun.territory, course, capacity=1, minimum=1)
    enrol(login(autun.employee), session.id)
    waiting = enrol(login(autun.colleague), session.id)
    assert status_of(waiting) == "waiting_list"
    values = _session_form(course, first_day=session.first_day.isoformat(), last_day=session.last_day.isoformat(),
                           registration_deadline=session.registration_deadline.isoformat(), capacity="2",
                           min_participants="1")
    assert login(autun.operator).post_form(f"{PREFIX}/sessions/{session.id}/edit", values).status_code == 302
    assert status_of(waiting) == "enrolled"


def test_a_confirmed_session_keeps_its_passed_deadline_when_edited(login, autun, course):
    session = add_session(autun.territory, course, first_day=next_monday(10), minimum=1,
                          deadline=today() - timedelta(days=1), status="confirmed")
    values = _session_form(course, first_day=session.first_day.isoformat(), last_day=session.last_day.isoformat(),
                           registration_deadline=session.registration_deadline.isoformat(), place="Salle du conseil")
    operator = login(autun.operator)
    assert operator.post_form(f"{PREFIX}/sessions/{session.id}/edit", values).status_code == 302
    moved_back = dict(values, registration_deadline=(today() - timedelta(days=2)).isoformat())
    refused = operator.post_json(f"{PREFIX}/sessions/{session.id}/edit", moved_back)
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"registration_deadline"}
    db.session.expire_all()
    row = db.session.scalar(select(TrainingSession).filter_by(id=session.id).execution_options(all_territories=True))
    assert (row.place, row.status, row.registration_deadline) == ("Salle du conseil", "confirmed",
                                                                  today() - timedelta(days=1))
