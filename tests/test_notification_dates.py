"""Notifications keep dates and instants as data (tagged in their JSON column) and say them when read;
the plugins' revisions convert the rows that stored them as text."""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import create_engine, text

from coopserv import create_app
from coopserv.extensions import db
from coopserv.notifications.params import shown_value, stored
from coopserv.testing import base_test_config
from tests.test_migration_layout import _insert, _scratch_database


def test_dates_and_instants_are_stored_tagged_and_said_in_the_readers_language(app, figeac):
    paris_evening = datetime(2026, 12, 3, 18, 30, tzinfo=timezone(timedelta(hours=1)))
    kept = stored({"title": "Bureau", "day": date(2026, 12, 3), "at": paris_evening, "from": time(8, 30), "n": 3})
    assert kept == {"title": "Bureau", "day": {"$date": "2026-12-03"}, "at": {"$datetime": "2026-12-03T17:30:00"},
                    "from": {"$time": "08:30:00"}, "n": 3}
    territory = figeac.territory
    assert shown_value(kept["day"], territory, "fr") == "jeudi 3 décembre 2026"
    assert shown_value(kept["day"], territory, "en") == "Thursday 3 December 2026"
    assert shown_value(kept["at"], territory, "fr") == "3 déc. 2026, 18 h 30"  # back on the territory's clock
    assert shown_value(kept["from"], territory, "fr") == "8 h 30"
    assert shown_value("Bureau", territory, "fr") == "Bureau" and shown_value({"$date": "soon"}) == {"$date": "soon"}


def _notification_params(url, message):
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT params FROM notification WHERE message = :m"), {"m": message}).all()
    engine.dispose()
    import json

    return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]


def test_the_plugins_revisions_convert_dates_stored_as_text(tmp_path):
    from flask_migrate import downgrade, upgrade

    url = _scratch_database(tmp_path)
    app = create_app(base_test_config(str(tmp_path), url))
    training = "The session of “%(course)s” starting %(date)s is cancelled."
    shuttle = "Your shuttle seats of %(date)s are cancelled: the service stopped."
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="heads")
        downgrade(directory=directory, revision="iot_training_0001_tables")
        downgrade(directory=directory, revision="p13_interop_0002_mobility")
        with db.engine.begin() as connection:
            territory = _insert(connection, "territory", slug="autun", name="Autun", region="",
                                primary_color="#1d5e3a", accent_color="#f2c14e", default_language="fr")
            user = _insert(connection, "user", email="lea@example.org", name="Léa", password_hash="x")
            for message, params in ((training, {"course": "LoRaWAN", "date": "14/12/2026"}),
                                    (shuttle, {"date": "2026-12-03 17:30"}),
                                    (training, {"course": "Odd", "date": "bientôt"})):
                _insert(connection, "notification", territory_id=territory, user_id=user, message=message,
                        params=params, link="")
        upgrade(directory=directory, revision="heads")
        db.engine.dispose()
    assert sorted(_notification_params(url, training), key=lambda p: p["course"]) == [
        {"course": "LoRaWAN", "date": {"$date": "2026-12-14"}}, {"course": "Odd", "date": "bientôt"}]
    assert _notification_params(url, shuttle) == [{"date": {"$datetime": "2026-12-03T17:30:00"}}]

    with app.app_context():
        downgrade(directory=app.extensions["migrate"].directory, revision="iot_training_0001_tables")
        db.engine.dispose()
    assert {"course": "LoRaWAN", "date": "14/12/2026"} in _notification_params(url, training)
