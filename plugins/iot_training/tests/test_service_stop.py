"""When the IoT training stops, its enrolments close, seats free up and sessions to come are cancelled."""
from datetime import timedelta

from coopserv_plugins.iot_training.models import TrainingSession

from coopserv.plugin_api import db
from coopserv.testing import disable_module

from .conftest import add_session, enrol, status_of, today


def test_stopping_the_service_cancels_sessions_to_come_and_closes_enrolments(autun, course, session, login, scoped):
    past = add_session(autun.territory, course, first_day=today() - timedelta(days=30), status="closed")
    enrolled = enrol(login(autun.employee), session.id)
    other = enrol(login(autun.other), session.id)
    assert status_of(enrolled) in ("submitted", "awaiting_approval", "enrolled")
    with scoped(autun.territory):
        disable_module(autun.module, actor=autun.admin)
        assert db.session.get(TrainingSession, session.id).status == "cancelled"
        assert db.session.get(TrainingSession, past.id).status == "closed"  # history is left alone
    assert status_of(enrolled) == status_of(other) == "service_stopped"
