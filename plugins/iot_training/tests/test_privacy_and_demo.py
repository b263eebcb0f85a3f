"""Personal data export and erasure, and the demo seed."""
from datetime import timedelta

from coopserv_plugins.iot_training import services
from coopserv_plugins.iot_training.models import (
    Attendance,
    Enrolment,
    SkillNeed,
    SurveyAnswer,
    TrainingSession,
)
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, db
from coopserv.testing import erase_person, export_person

from .conftest import PREFIX, add_session, move_into_past, next_monday, today

ALL = {ALL_TERRITORIES: True}


def test_personal_data_is_exported_then_anonymised(login, autun, course, scoped):
    session = add_session(autun.territory, course, first_day=next_monday(10), days=1, minimum=1)
    camille = login(autun.employee)
    camille.post_form("/t/autun-morvan/services/iot_training/requests",
                      {"session_id": str(session.id), "motivation": "Je maintiens la ligne 3."})
    login(autun.referent).post_form(f"{PREFIX}/needs", {"title": "Capteurs de la ligne 3", "people_count": "2"})
    move_into_past(autun.territory, session, today() - timedelta(days=5), scoped)
    with scoped(autun.territory):
        enrolment = db.session.scalar(select(Enrolment))
        row = db.session.get(TrainingSession, session.id)
        services.record_attendance(row, [f"{enrolment.id}-{row.days[0].id}"])
        enrolment_id = enrolment.id
    camille.post_form(f"{PREFIX}/enrolments/{enrolment_id}/survey", {"score": "4", "comment": "Formatrice au top."})

    exported = export_person(autun.employee)
    assert [e["motivation"] for e in exported["iot_training_enrolments"]] == ["Je maintiens la ligne 3."]
    assert len(exported["iot_training_attendance"]) == 1
    assert [(a["score"], a["comment"]) for a in exported["iot_training_survey_answers"]] == [(4, "Formatrice au top.")]
    assert [n["title"] for n in export_person(autun.referent)["iot_training_skills_needs_declared"]] == [
        "Capteurs de la ligne 3"]

    erase_person(autun.employee)
    erase_person(autun.referent)
    enrolment = db.session.scalar(select(Enrolment).execution_options(**ALL))
    answer = db.session.scalar(select(SurveyAnswer).execution_options(**ALL))
    attendance = db.session.scalar(select(Attendance).execution_options(**ALL))
    need = db.session.scalar(select(SkillNeed).execution_options(**ALL))
    assert (enrolment.user_id, enrolment.motivation) == (None, "")
    assert (answer.user_id, answer.comment, answer.score) == (None, "", 4)  # the score stays for statistics
    assert attendance.user_id is None
    assert (need.declared_by_id, need.title) == (None, "Contribution retirée")  # the company's count stays


def test_demo_seed_fills_autun_morvan(app):
    from coopserv_plugins.iot_training.models import Course

    from coopserv.plugin_api import Territory, get_module, territory_scope
    from coopserv.testing import indicator_values, seed_demo

    seed_demo()
    territory = db.session.scalar(select(Territory).filter_by(slug="autun-morvan"))
    with territory_scope(territory):
        titles = set(db.session.scalars(select(Course.title)))
        assert {"Capteurs connectés et maintenance prédictive", "LoRaWAN pour l'industrie"} <= titles
        statuses = dict(db.session.execute(select(TrainingSession.status, func.count()).group_by(TrainingSession.status)).all())
        assert statuses.get("closed") == 1 and statuses.get("open", 0) + statuses.get("confirmed", 0) == 3
        assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 4
        assert db.session.scalar(select(func.count(Attendance.id))) > 0
        assert db.session.scalar(select(func.count(SkillNeed.id))) == 4
        from coopserv.plugin_api import ServiceRequest

        requests = dict(db.session.execute(select(ServiceRequest.status, func.count()).group_by(ServiceRequest.status)).all())
        assert requests.get("waiting_list") == 1 and requests.get("awaiting_approval") == 1
        assert requests.get("completed", 0) + requests.get("not_completed", 0) == 6
        module = get_module("iot_training")
        values = {indicator.key: (before, now) for indicator, before, now in indicator_values(module)}
        assert any(value for pair in values.values() for value in pair)
        assert len(titles) == 4
    # Other territories' modules get no training data.
    figeac = db.session.scalar(select(Territory).filter_by(slug="figeac"))
    with territory_scope(figeac):
        assert db.session.scalar(select(func.count(Course.id))) == 0
