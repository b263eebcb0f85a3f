"""Indicators against hand-counted fixtures, with another territory's rows that must not count."""
from datetime import datetime, timedelta

from coopserv_plugins.iot_training import indicators, services
from coopserv_plugins.iot_training.models import (
    Enrolment,
    SkillNeed,
    SurveyAnswer,
    TrainingSession,
)
from sqlalchemy import select

from coopserv.plugin_api import db

from .conftest import add_course, add_session, enrol, move_into_past, next_monday, today


def _at(day):
    return datetime(day.year, day.month, day.day)


def test_indicators_match_hand_counts(login, autun, figeac, course, scoped):
    ran = add_session(autun.territory, course, first_day=next_monday(10), days=2, capacity=4, minimum=1)
    for person in (autun.employee, autun.colleague, autun.other):
        enrol(login(person), ran.id)
    move_into_past(autun.territory, ran, today() - timedelta(days=20), scoped)
    cancelled = add_session(autun.territory, course, first_day=today() - timedelta(days=18), capacity=6,
                            status="cancelled")
    add_session(autun.territory, course, first_day=next_monday(30), capacity=10)  # after the period
    elsewhere = add_course(figeac.territory, "LoRaWAN")
    add_session(figeac.territory, elsewhere, first_day=today() - timedelta(days=17), capacity=100)
    start, end = _at(today() - timedelta(days=25)), _at(today() - timedelta(days=10))

    with scoped(autun.territory):
        row = db.session.get(TrainingSession, ran.id)
        first, second = (d.id for d in row.days)
        by_user = {e.user_id: e for e in db.session.scalars(select(Enrolment).filter_by(session_id=ran.id))}
        camille, julien, ines = (by_user[p.id] for p in (autun.employee, autun.colleague, autun.other))
        services.record_attendance(row, [f"{camille.id}-{first}", f"{camille.id}-{second}", f"{julien.id}-{first}",
                                         f"{ines.id}-{first}", f"{ines.id}-{second}"])
        db.session.add_all([
            SkillNeed(organization_id=autun.outsider.id, title="Compteurs communicants", created_at=start + timedelta(days=2)),
            SkillNeed(organization_id=autun.nexans.id, title="Capteurs", created_at=start + timedelta(days=3)),
            SkillNeed(organization_id=autun.outsider.id, title="Plus tard", created_at=end + timedelta(days=1)),
            SurveyAnswer(enrolment_id=camille.id, user_id=autun.employee.id, score=5, answered_at=start + timedelta(days=6)),
            SurveyAnswer(enrolment_id=julien.id, user_id=autun.colleague.id, score=2, answered_at=start + timedelta(days=7)),
            SurveyAnswer(enrolment_id=ines.id, user_id=autun.other.id, score=1, answered_at=end + timedelta(hours=1)),
        ])
        db.session.commit()
    with scoped(figeac.territory):
        db.session.add(SkillNeed(organization_id=figeac.company.id, title="Figeac", created_at=start + timedelta(days=2)))
        db.session.commit()

    with scoped(autun.territory):
        module = autun.module
        # 3 seated of 4 seats; the cancelled session, the later one and Figeac's are left out.
        assert indicators.fill_rate(module, start, end) == 75.0
        # Two days at 80 %: Camille and Inès attended both, Julien one.
        assert indicators.completion_rate(module, start, end) == round(200 / 3, 1)
        # Nexans and Morvan trained, the Grand Autunois declared a need in the period.
        assert indicators.companies_involved(module, start, end) == 3
        assert indicators.satisfaction(module, start, end) == 3.5
        later = _at(today() + timedelta(days=60))
        assert indicators.fill_rate(module, end, end + timedelta(days=1)) is None
        assert indicators.satisfaction(module, end, later) == 1.0
        assert cancelled.id  # kept only to make the left-out session explicit
