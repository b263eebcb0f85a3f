"""The IoT training revision that stores certificate numbers keeps the number already printed on every
certificate that may have been printed, and gives none to enrolments that could not have one yet."""
from datetime import time, timedelta

from sqlalchemy import create_engine, text

from coopserv import create_app
from coopserv.extensions import db
from coopserv.testing import base_test_config
from coopserv.timeutil import local_today
from tests.test_migration_layout import _insert, _scratch_database


def _numbers(url):
    engine = create_engine(url)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT id, certificate_number FROM iot_training_enrolment")).all())
    engine.dispose()
    return found


def test_certificates_printed_before_keep_their_number(tmp_path):
    from flask_migrate import downgrade, upgrade

    url = _scratch_database(tmp_path)
    app = create_app(base_test_config(str(tmp_path), url))
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="heads")
        downgrade(directory=directory, revision="p9_more_0001_iot_training_dates")
        with db.engine.begin() as connection:
            territory = _insert(connection, "territory", slug="autun-morvan", name="Autun Morvan", region="",
                                primary_color="#1d5e3a", accent_color="#f2c14e", default_language="fr")
            user = _insert(connection, "user", email="camille@example.org", name="Camille", password_hash="x")
            module = _insert(connection, "service_module", territory_id=territory, service_key="iot_training",
                             stage="perennial", config={}, enabled=True)
            course = _insert(connection, "iot_training_course", territory_id=territory, title="LoRaWAN")
            ended, coming = (
                _insert(connection, "iot_training_session", territory_id=territory, course_id=course, status=status,
                        first_day=day, last_day=day, registration_deadline=day - timedelta(days=3),
                        starts_at=time(9), ends_at=time(17))
                for status, day in (("closed", local_today() - timedelta(days=30)),
                                    ("open", local_today() + timedelta(days=30))))

            def enrolment(session, status):
                request = _insert(connection, "service_request", territory_id=territory, module_id=module,
                                  requester_id=user, status=status, payload={})
                return _insert(connection, "iot_training_enrolment", territory_id=territory, request_id=request,
                               session_id=session, user_id=user)

            completed, withdrawn, enrolled = (enrolment(ended, "completed"), enrolment(ended, "withdrawn"),
                                              enrolment(coming, "enrolled"))
        upgrade(directory=directory, revision="heads")
        db.engine.dispose()
    assert _numbers(url) == {completed: f"AUTUN-MORVAN-IOT-{ended}-{completed}", withdrawn: None, enrolled: None}

    with app.app_context():
        downgrade(directory=app.extensions["migrate"].directory, revision="p9_more_0001_iot_training_dates")
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        columns = list(connection.execute(text("SELECT * FROM iot_training_enrolment")).keys())
    engine.dispose()
    assert "certificate_number" not in columns
