"""MQTT sensors in: mappings read real LoRaWAN uplinks; a real broker, duplicates, disorder, garbage and a restart."""
import json
import os
import threading
import time
from datetime import datetime, timedelta

import pytest
from coopserv_plugins.smart_parking import services
from coopserv_plugins.smart_parking.models import SensorEvent, Spot
from coopserv_plugins.smart_parking.mqtt import MessageError, Rule, Subscriber, message_time, resolve
from coopserv_plugins.smart_parking.schemas import MqttMappingSchema
from marshmallow import ValidationError

from coopserv.plugin_api import db, territory_scope, utcnow

from .conftest import count, spot_state

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
CHIRPSTACK = {"topic": "application/+/device/+/event/up", "sensor_pointer": "/deviceInfo/devEui",
              "status_pointer": "/object/occupied", "status_values": "true=occupied, false=free",
              "time_pointer": "/time", "event_id_pointer": "/deduplicationId"}
TTN = {"topic": "v3/+/devices/+/up", "sensor_pointer": "/end_device_ids/dev_eui",
       "status_pointer": "/uplink_message/decoded_payload/parking_status",
       "status_values": {"occupied": "occupied", "free": "free"}, "time_pointer": "/received_at",
       "event_id_pointer": "/correlation_ids/0"}


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


def rule(fields):
    class Mapping:
        id, territory_id, lot_id = 1, 1, 1
    mapping = Mapping()
    for name, value in MqttMappingSchema().load(fields).items():
        setattr(mapping, name, value)
    mapping.spot_pointer = getattr(mapping, "spot_pointer", "")
    return Rule.of(mapping)


def test_json_pointers_and_times_are_read_as_the_standards_say():
    document = {"a/b": {"m~n": [10, {"x": True}]}}
    assert resolve(document, "/a~1b/m~0n/1/x") is True
    assert resolve(document, "/a~1b/m~0n/0") == 10
    assert resolve(document, "/missing") is not True and resolve(document, "/a~1b/m~0n/7") is not None
    assert message_time("2022-07-18T09:34:15.775023242+02:00") == datetime(2022, 7, 18, 7, 34, 15, 775023)
    assert message_time(1_700_000_000) == message_time(1_700_000_000_000) == datetime(2023, 11, 14, 22, 13, 20)
    assert message_time("yesterday") is None and message_time(True) is None


def test_a_chirpstack_uplink_becomes_an_observation_with_the_network_event_id(app):
    key, status, observed_at, event_id = rule(CHIRPSTACK).read(fixture("mqtt-chirpstack-v4-up.json"))
    assert (key, status) == ("70b3d57ed0051a2c", "occupied")
    assert observed_at == datetime(2022, 7, 18, 9, 34, 15, 775023)
    assert event_id == "mqtt-3ac7e3c4-4401-4b8d-9386-a5c902f9202d"


def test_a_things_stack_uplink_becomes_an_observation(app):
    key, status, observed_at, event_id = rule(TTN).read(fixture("mqtt-ttn-v3-uplink.json"))
    assert (key, status, observed_at) == ("70B3D57ED0051A2D", "free", datetime(2023, 5, 19, 5, 33, 35, 848446))
    assert event_id == "mqtt-as:up:01H0PZDGB1NW6NAPD815NGHPF6"


def test_without_a_network_event_id_the_id_comes_from_sensor_and_time(app):
    reader = rule(dict(CHIRPSTACK, event_id_pointer=""))
    document = fixture("mqtt-chirpstack-v4-up.json")
    first = reader.read(document)[3]
    assert first.startswith("mqtt-") and first == reader.read(json.loads(json.dumps(document)))[3]
    document["time"] = "2022-07-18T09:35:00Z"
    assert reader.read(document)[3] != first


@pytest.mark.parametrize("change, problem", [
    ({"object": {"occupied": "maybe"}}, "no status"),
    ({"object": {}}, "no status"),
    ({"time": "soon"}, "no date"),
    ({"deviceInfo": {}}, "nothing usable"),
])
def test_messages_a_mapping_cannot_read_are_refused_with_the_reason(app, change, problem):
    with pytest.raises(MessageError, match=problem):
        rule(CHIRPSTACK).read(dict(fixture("mqtt-chirpstack-v4-up.json"), **change))


@pytest.mark.parametrize("change, field", [
    ({"topic": "application/dev+/up"}, "topic"),
    ({"topic": "application/#/up"}, "topic"),
    ({"status_values": "true=parked"}, "status_values"),
    ({"status_values": "occupied"}, "status_values"),
    ({"sensor_pointer": ""}, "sensor_pointer"),
    ({"time_pointer": "time"}, "time_pointer"),
])
def test_mapping_form_errors_name_the_field(app, change, field):
    with pytest.raises(ValidationError) as error:
        MqttMappingSchema().load(dict(CHIRPSTACK, **change))
    assert field in error.value.messages


# -- with a real broker ---------------------------------------------------------------------------

def uplink(eui, occupied, at, dedup):
    message = fixture("mqtt-chirpstack-v4-up.json")
    message["deviceInfo"]["devEui"] = eui
    message["object"] = {"occupied": occupied}
    message["time"] = at.isoformat() + "Z"
    message["deduplicationId"] = dedup
    return json.dumps(message).encode()


class Publisher:
    """A LoRaWAN network server's side: QoS 1 publications, each confirmed by the broker."""

    def __init__(self, broker):
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"lns-{time.monotonic_ns()}")
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def send(self, payload, topic="application/nexans/device/x/event/up"):
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(10)
        assert info.is_published()

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def lorawan_lot(autun, lot):
    """Spots S-01… S-04 carry LoRaWAN sensors eui-01… eui-04; the lot listens to ChirpStack's uplinks."""
    with territory_scope(autun.territory):
        for number in range(1, 5):
            spot = db.session.get(Spot, lot.spots[f"S-0{number}"])
            spot.sensor_id = f"EUI-0{number}"  # the operator typed them in capitals; ChirpStack writes lower case
        db.session.commit()
        services.create_mqtt_mapping(services.get_lot(lot.lot_id), MqttMappingSchema().load(CHIRPSTACK))
    return lot


def wait_until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        db.session.expire_all()
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def subscriber(app):
    """Run the subscriber in a thread with its own application context, as the CLI runs it; stop it after."""
    running = []

    def start(url):
        worker = Subscriber(url, client_id="coopserv-test", batch_size=20, flush_seconds=0.05, reload_seconds=0.5)
        thread = threading.Thread(target=lambda: app.app_context().push() or worker.run(), daemon=True)
        thread.start()
        running.append((worker, thread))
        assert worker.ready.wait(10), "the subscriber did not connect"
        return worker

    yield start
    for worker, thread in running:
        worker.stop.set()
        thread.join(timeout=10)


def test_subscriber_survives_duplicates_disorder_garbage_and_a_broker_restart(app, autun, lorawan_lot, mosquitto,
                                                                               subscriber):
    lot = lorawan_lot
    t0 = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    worker = subscriber(mosquitto.url)
    lns = Publisher(mosquitto)
    lns.send(uplink("eui-01", True, t0 + timedelta(minutes=1), "d1"))
    lns.send(uplink("eui-01", True, t0 + timedelta(minutes=1), "d1"))  # the same uplink twice
    lns.send(uplink("eui-02", False, t0 + timedelta(minutes=5), "d2"))
    lns.send(uplink("eui-02", True, t0 + timedelta(minutes=2), "d3"))  # older, arrives late
    lns.send(b"\x00 not json")
    lns.send(uplink("eui-03", "maybe", t0 + timedelta(minutes=3), "d4"))
    lns.send(uplink("eui-99", True, t0 + timedelta(minutes=3), "d5"))  # a sensor no spot carries
    assert wait_until(lambda: worker.stats.received >= 7 and count(SensorEvent) == 3)
    assert spot_state(lot.spots["S-01"]) == ("occupied", t0 + timedelta(minutes=1))
    assert spot_state(lot.spots["S-02"]) == ("free", t0 + timedelta(minutes=5))
    lns.close()

    mosquitto.restart()  # the subscriber is cut off; the broker keeps its session on disk
    lns = Publisher(mosquitto)
    lns.send(uplink("eui-03", True, t0 + timedelta(minutes=10), "d6"))
    lns.send(uplink("eui-01", False, t0 + timedelta(minutes=12), "d7"))
    lns.send(uplink("eui-01", True, t0 + timedelta(minutes=1), "d1"))  # replayed once more by the network
    lns.close()

    assert wait_until(lambda: count(SensorEvent) == 5 and spot_state(lot.spots["S-03"])[0] == "occupied")
    assert worker.stats.reconnects >= 1
    assert spot_state(lot.spots["S-01"]) == ("free", t0 + timedelta(minutes=12))
    assert spot_state(lot.spots["S-02"]) == ("free", t0 + timedelta(minutes=5))
    assert spot_state(lot.spots["S-03"]) == ("occupied", t0 + timedelta(minutes=10))
    assert spot_state(lot.spots["S-04"]) == ("unknown", None)
    assert wait_until(lambda: worker.stats.duplicates >= 2), worker.stats
    # Messages whose acknowledgement was still on its way when the broker stopped come again: they are
    # refused or deduplicated again, never applied twice.
    assert worker.stats.dropped >= 2 and worker.stats.reasons["unknown_spot"] >= 1
    assert count(SensorEvent) == 5


def test_the_command_catches_up_on_what_was_published_while_it_was_away(app, autun, lorawan_lot, mosquitto):
    runner = app.test_cli_runner()
    arguments = ["parking", "mqtt", "--broker", mosquitto.url, "--client-id", "coopserv-cron",
                 "--exit-when-idle", "0.5"]
    first = runner.invoke(args=arguments)
    assert first.exit_code == 0, first.output
    assert "0 messages" in first.output  # it only opened its session
    at = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    lns = Publisher(mosquitto)
    lns.send(uplink("eui-04", True, at, "c1"))
    lns.close()
    second = runner.invoke(args=arguments)
    assert second.exit_code == 0, second.output
    assert "1 messages: 1 accepted" in second.output
    db.session.expire_all()
    assert spot_state(lorawan_lot.spots["S-04"]) == ("occupied", at)
    assert runner.invoke(args=["parking", "mqtt", "--broker", "ftp://x"]).exit_code != 0


# -- several subscribers sharing the topics -------------------------------------------------------

def test_two_subscribers_sharing_the_topics_store_each_reading_once_and_keep_the_newest(
        app, autun, lorawan_lot, mosquitto, scoped):
    """MQTT 5 shared subscription: each message goes to one of the two; disorder and copies change nothing."""
    import random

    from coopserv_plugins.smart_parking import occupancy

    lot = lorawan_lot
    workers, threads = [], []
    for name in ("coopserv-a", "coopserv-b"):
        worker = Subscriber(mosquitto.url, client_id=name, batch_size=7, flush_seconds=0.02, share_group="coopserv")
        thread = threading.Thread(target=lambda w=worker: app.app_context().push() or w.run(), daemon=True)
        thread.start()
        assert worker.ready.wait(10), "a subscriber did not connect"
        workers.append(worker)
        threads.append(thread)
    try:
        rng = random.Random(5)
        t0 = utcnow().replace(microsecond=0) - timedelta(hours=3)
        readings = [(f"eui-0{sensor}", (minute // 7 + sensor) % 2 == 0, t0 + timedelta(minutes=minute),
                     f"s{sensor}-{minute}") for sensor in range(1, 5) for minute in range(0, 150, 3)]
        sent = readings + rng.sample(readings, 40)  # 40 copies
        rng.shuffle(sent)  # and no order at all
        lns = Publisher(mosquitto)
        for eui, occupied, at, dedup in sent:
            lns.send(uplink(eui, occupied, at, dedup))
        lns.close()
        assert wait_until(lambda: sum(w.stats.received for w in workers) >= len(sent)
                          and count(SensorEvent) == len(readings), seconds=60), [w.stats for w in workers]
    finally:
        for worker in workers:
            worker.stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert all(worker.stats.received > 0 for worker in workers), "the broker gave every message to one subscriber"
    assert sum(w.stats.received for w in workers) == len(sent)  # each message to one subscriber only
    assert sum(w.stats.accepted for w in workers) == len(readings)
    assert sum(w.stats.duplicates for w in workers) == len(sent) - len(readings)
    for sensor in range(1, 5):
        newest = max((reading for reading in readings if reading[0] == f"eui-0{sensor}"), key=lambda r: r[2])
        assert spot_state(lot.spots[f"S-0{sensor}"]) == ("occupied" if newest[1] else "free", newest[2])
    # The occupancy cells both subscribers kept incrementally are those a rebuild computes from the events.
    with scoped(autun.territory):
        kept = rollup_rows()
        assert kept[0] and kept[1]
        occupancy.rebuild(autun.territory.id)
        db.session.commit()
        assert rollup_rows() == kept


def rollup_rows():
    """The occupancy rollup's monthly and daily cells, as sorted tuples (empty cells left out)."""
    from coopserv_plugins.smart_parking.models import OccupancyCell, OccupancyDay
    from sqlalchemy import select

    db.session.expire_all()
    return [sorted((row.spot_id, str(getattr(row, period)), row.hour, row.occupied_us, row.arrivals)
                   for row in db.session.scalars(select(model)) if row.occupied_us or row.arrivals)
            for model, period in ((OccupancyCell, "month"), (OccupancyDay, "day"))]


def test_the_command_runs_several_processes_sharing_the_topics(app, autun, lorawan_lot, mosquitto):
    runner = app.test_cli_runner()
    arguments = ["parking", "mqtt", "--broker", mosquitto.url, "--client-id", "coopserv-pool", "--processes", "2",
                 "--exit-when-idle", "1", "--flush-ms", "20"]
    first = runner.invoke(args=arguments)
    assert first.exit_code == 0, first.output
    assert "2 process(es) sharing group coopserv-pool" in first.output and "0 messages" in first.output
    at = utcnow().replace(microsecond=0) - timedelta(minutes=50)
    lns = Publisher(mosquitto)  # published while both are away: their sessions keep the messages
    for minute in range(40):
        lns.send(uplink(f"eui-0{minute % 4 + 1}", minute % 3 == 0, at + timedelta(minutes=minute), f"p{minute}"))
    lns.send(uplink("eui-01", True, at, "p0"))  # once more
    lns.close()
    second = runner.invoke(args=arguments)
    assert second.exit_code == 0, second.output
    assert "41 messages: 40 accepted, 1 duplicates" in second.output
    db.session.expire_all()
    assert count(SensorEvent) == 40
    for sensor in range(1, 5):
        last = max(minute for minute in range(40) if minute % 4 + 1 == sensor)
        assert spot_state(lorawan_lot.spots[f"S-0{sensor}"]) == (
            "occupied" if last % 3 == 0 else "free", at + timedelta(minutes=last))
    assert runner.invoke(args=arguments + ["--share-group", "a/b"]).exit_code != 0
