"""The simulator speaks the three forms: own events, NGSI-v2/NGSI-LD notifications, MQTT messages."""
import pytest
from coopserv_plugins.smart_parking import services
from coopserv_plugins.smart_parking.models import SensorEvent, Spot
from coopserv_plugins.smart_parking.schemas import MqttMappingSchema

from coopserv.plugin_api import db, territory_scope

from .conftest import count


def simulate(runner, lot, *options):
    return runner.invoke(args=["parking", "simulate", "autun-morvan", str(lot.lot_id), "--events", "300", *options])


@pytest.mark.parametrize("form", ["ngsi-v2", "ngsi-ld"])
def test_notifications_from_the_simulator_go_through_the_ngsi_reader(app, autun, lot, form):
    runner = app.test_cli_runner()
    result = simulate(runner, lot, "--form", form)
    assert result.exit_code == 0, result.output
    assert "300 events sent" in result.output and "300 accepted" in result.output
    assert count(SensorEvent) == 300
    again = simulate(runner, lot, "--form", form)
    assert "0 accepted, 300 duplicates" in again.output  # ids derived from entity and time: a replay changes nothing
    # The same observations in coopserv's own form carry other event ids, so they are new events.
    assert "300 accepted" in simulate(runner, lot, "--form", "own").output


def test_mqtt_messages_from_the_simulator_are_stored_by_the_subscriber(app, autun, lot, mosquitto):
    with territory_scope(autun.territory):
        for ref, spot_id in lot.spots.items():
            db.session.get(Spot, spot_id).sensor_id = f"eui-{ref}"
        db.session.commit()
        services.create_mqtt_mapping(services.get_lot(lot.lot_id), MqttMappingSchema().load({
            "topic": "application/+/device/+/event/up", "sensor_pointer": "/deviceInfo/devEui",
            "status_pointer": "/object/occupied", "status_values": "true=occupied, false=free",
            "time_pointer": "/time"}))
    runner = app.test_cli_runner()
    listen = ["parking", "mqtt", "--broker", mosquitto.url, "--client-id", "sim-test", "--exit-when-idle", "0.5"]
    assert runner.invoke(args=listen).exit_code == 0  # opens the persistent session
    published = simulate(runner, lot, "--form", "mqtt", "--broker", mosquitto.url)
    assert published.exit_code == 0, published.output
    assert "300 MQTT messages published" in published.output
    stored = runner.invoke(args=listen)
    assert "300 messages: 300 accepted" in stored.output, stored.output
    assert count(SensorEvent) == 300


def test_the_mqtt_form_needs_a_mapping(app, autun, lot, mosquitto):
    result = simulate(app.test_cli_runner(), lot, "--form", "mqtt", "--broker", mosquitto.url)
    assert result.exit_code != 0 and "MQTT mapping" in result.output


def test_a_longer_window_sends_the_same_events_in_fewer_batches(app, autun, lot):
    """The demo replays its morning in hourly batches: every event is still stored, once."""
    from coopserv_plugins.smart_parking.models import Lot
    from coopserv_plugins.smart_parking.simulator import simulate as replay

    from .conftest import build_lot

    other = build_lot(autun.territory, name="Parking visiteurs")
    with territory_scope(autun.territory):
        quarterly = replay(db.session.get(Lot, lot.lot_id), events=200, seed=5)
        hourly = replay(db.session.get(Lot, other.lot_id), events=200, seed=5, window_minutes=60)
    assert quarterly.accepted == hourly.accepted == 200
    assert hourly.batches < quarterly.batches
    assert count(SensorEvent) == 400
