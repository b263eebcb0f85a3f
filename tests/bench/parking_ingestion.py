"""Benchmark smart-parking sensor ingestion: 100,000 events through the HTTP endpoint, then MQTT messages.

Run from the project root:
    .venv/bin/python tests/bench/parking_ingestion.py                      # SQLite, temporary file
    COOPSERV_DATABASE_URL=postgresql+psycopg://user:pw@host/scratch_db .venv/bin/python tests/bench/parking_ingestion.py
(options: --events N --batch-size N --spots N --seed N). Point it at a scratch database: it creates
the tables it needs, a throwaway territory, and deletes that territory afterwards.

The traffic is the simulator's (morning arrivals, lunch turnover, evening departures, a heartbeat
every 10 minutes) for one car park watched by a gateway sensor; each batch is a JSON POST with the
sensor's key, answered by the same view and service as in production (Flask test client, one app
context per request). It prints events/second for the first pass, then for a replay of the same
events (all duplicates: the idempotence path). Not a timed test: the aim is >= 10,000 events/s.

Then the same kind of traffic as MQTT uplinks (ChirpStack's shape, one LoRaWAN sensor per spot, read
by the lot's mapping): the messages are queued in the subscribers' persistent sessions on a private
mosquitto (Debian's, on a free loopback port), then the subscriber of `coopserv parking mqtt` drains
them; it prints messages/second from their start to the last commit (the aim: >= 5,000/s
sustained on PostgreSQL), messages per CPU-second of the subscribers, their number and the load
average. --mqtt-processes N runs N subscriber processes sharing the topics (MQTT 5 shared
subscription, as `coopserv parking mqtt --processes N`); several values (--mqtt-processes 1 2)
run one pass each. --mqtt-messages 0 skips it.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from itertools import islice

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from sqlalchemy import delete, func, select

from coopserv import create_app
from coopserv.extensions import db
from coopserv.tenancy import territory_scope


def build_app(url):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "ENABLED_PLUGINS": ["smart_parking"],
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def prepare(app, spot_count, events, seed):
    """Create a territory, the module, a lot of ``spot_count`` spots and one gateway sensor; build the events."""
    from coopserv_plugins.smart_parking import services
    from coopserv_plugins.smart_parking.models import Spot
    from coopserv_plugins.smart_parking.simulator import days_needed, traffic

    from coopserv.modules.services import enable_module
    from coopserv.territories.services import create_territory
    from coopserv.timeutil import utcnow

    with app.app_context():
        db.create_all()
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        territory = create_territory({"slug": slug, "name": "Bench territory"})
        with territory_scope(territory):
            enable_module("smart_parking", stage="perennial")
            lot = services.create_lot({"name": "Parking Nexans Saint-Andoche", "allow_reservations": True})
            device, key = services.create_device(lot, {"name": "Passerelle LoRa"})
            refs = [f"P-{number:04d}" for number in range(1, spot_count + 1)]
            db.session.add_all([Spot(lot_id=lot.id, ref=ref, device_id=device.id) for ref in refs])
            db.session.commit()
            days = days_needed(spot_count, events)
            first_day = utcnow().date() - timedelta(days=days)
            generated = list(islice(traffic(refs, first_day, days, seed), events))
        return slug, territory.id, key, generated


def send_all(app, slug, key, events, batch_size):
    """POST the events in batches; return (seconds, summed report)."""
    client = app.test_client()
    url = f"/t/{slug}/smart-parking/api/events"
    headers = {"X-Sensor-Key": key}
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0, "spots_updated": 0}
    started = time.perf_counter()
    for offset in range(0, len(events), batch_size):
        response = client.post(url, json={"events": events[offset:offset + batch_size]}, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"Batch at {offset} refused: {response.status_code} {response.get_data(as_text=True)[:300]}")
        body = response.get_json()
        totals["accepted"] += body["accepted"]
        totals["duplicates"] += body["duplicates"]
        totals["rejected"] += len(body["rejected"])
        totals["spots_updated"] += body["spots_updated"]
    return time.perf_counter() - started, totals


def process_cpu(pid=None, name=None):
    """CPU-seconds used so far by a process (``pid``) or by every process called ``name`` and its reaped children.

    Read from /proc (Linux): PostgreSQL's backends exit with their connections, and what they used
    is then counted in their parent's children times, which this includes.
    """
    total = 0.0
    for entry in os.listdir("/proc") if pid is None else [str(pid)]:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        command, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name is None or command == name:
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def mqtt_pass(app, territory_id, events, batch_size, processes=1):
    """Queue the events as MQTT uplinks while the subscribers are away, then time how fast they store them."""
    import paho.mqtt.client as paho
    from coopserv_plugins.smart_parking import services
    from coopserv_plugins.smart_parking.models import Lot, Spot
    from coopserv_plugins.smart_parking.mqtt import Rule, Subscriber, message_for
    from coopserv_plugins.smart_parking.mqtt_group import client_id_of, serve, total
    from coopserv_plugins.smart_parking.schemas import MqttMappingSchema
    from coopserv_plugins.smart_parking.tests.broker import Mosquitto
    from paho.mqtt.enums import CallbackAPIVersion

    from coopserv.territories.models import Territory

    with app.app_context():
        territory = db.session.get(Territory, territory_id)
        with territory_scope(territory):
            lot = db.session.scalar(select(Lot))
            for spot in db.session.scalars(select(Spot).where(Spot.lot_id == lot.id)):
                spot.sensor_id = spot.ref  # one LoRaWAN sensor per spot, named by its DevEUI
            db.session.commit()
            rule = Rule.of(services.create_mqtt_mapping(lot, MqttMappingSchema().load({
                "topic": "application/+/device/+/event/up", "sensor_pointer": "/deviceInfo/devEui",
                "status_pointer": "/object/status", "status_values": "occupied=occupied, free=free",
                "time_pointer": "/time", "event_id_pointer": "/deduplicationId"})))
    messages = [message_for(rule, event["spot"], dict(event, event_id=f"up-{event['event_id']}"))
                for event in events]
    folder = tempfile.mkdtemp(prefix="coopserv-mqtt-bench-")
    broker = Mosquitto(folder).start()
    try:
        def make_subscriber(index):
            return Subscriber(broker.url, client_id=client_id_of("coopserv-bench", index), batch_size=batch_size,
                              share_group="coopserv-bench" if processes > 1 else None)

        def drain(idle_exit):
            with app.app_context():
                started = time.monotonic()
                return started, serve(make_subscriber, processes, idle_exit=idle_exit)

        drain(0.5)  # opens the persistent sessions, then goes away
        publisher = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-lns")
        publisher.connect("127.0.0.1", broker.port)
        publisher.loop_start()
        published = [publisher.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in published:
            info.wait_for_publish(60)
        publisher.disconnect()
        publisher.loop_stop()

        before = process_cpu(name="postgres"), process_cpu(pid=broker.process.pid)
        started, results = drain(2.0)
        others = process_cpu(name="postgres") - before[0], process_cpu(pid=broker.process.pid) - before[1]
        if any(result is None for result in results):
            raise SystemExit("An MQTT subscriber process failed.")
        seconds = max(result["last_commit_at"] or started for result in results) - started
        stats = total(results)
        stats["postgres_cpu"], stats["mosquitto_cpu"] = others
    finally:
        broker.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return seconds, stats["cpu_seconds"], stats, [result["received"] for result in results]


def cleanup(app, territory_id):
    from coopserv.territories.models import Territory

    with app.app_context():
        db.session.execute(delete(Territory).where(Territory.id == territory_id))
        db.session.commit()


def stored_events(app, territory_id):
    from coopserv_plugins.smart_parking.models import SensorEvent

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SensorEvent)
                                 .where(SensorEvent.territory_id == territory_id)
                                 .execution_options(all_territories=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--spots", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mqtt-messages", type=int, default=50_000,
                        help="MQTT uplinks to queue and drain after the HTTP passes (0: skip)")
    parser.add_argument("--mqtt-processes", type=int, nargs="+", default=[1, 2],
                        help="subscriber processes sharing the topics; one MQTT pass per value")
    parser.add_argument("--mqtt-batch-size", type=int, default=2000, help="coopserv parking mqtt --batch-size")
    args = parser.parse_args()

    scratch = None
    url = os.environ.get("COOPSERV_DATABASE_URL")
    if not url:
        scratch = tempfile.mkdtemp(prefix="coopserv-parking-bench-")
        url = "sqlite:///" + os.path.join(scratch, "bench.sqlite")
    app = build_app(url)
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    print(f"Database: {backend}; {args.events:,} events for {args.spots} spots in batches of {args.batch_size}.")
    slug, territory_id, key, events = prepare(app, args.spots, args.events, args.seed)
    try:
        seconds, totals = send_all(app, slug, key, events, args.batch_size)
        print(f"First pass: {len(events):,} events in {seconds:.2f} s = {len(events) / seconds:,.0f} events/s "
              f"({totals['accepted']:,} accepted, {totals['duplicates']:,} duplicates, {totals['rejected']} rejected, "
              f"{totals['spots_updated']:,} spot updates)")
        stored = stored_events(app, territory_id)
        assert stored == len(events) == totals["accepted"], (stored, len(events), totals)
        seconds, totals = send_all(app, slug, key, events, args.batch_size)
        print(f"Replay (all duplicates): {len(events) / seconds:,.0f} events/s "
              f"({totals['accepted']} accepted, {totals['duplicates']:,} duplicates)")
        assert totals["accepted"] == 0 and stored_events(app, territory_id) == len(events)
        for number, processes in enumerate(args.mqtt_processes if args.mqtt_messages else []):
            _slug, other_id, _key, uplinks = prepare(app, args.spots, args.mqtt_messages, args.seed + 1 + number)
            try:
                seconds, cpu, stats, shares = mqtt_pass(app, other_id, uplinks, args.mqtt_batch_size, processes)
                print(f"MQTT (coopserv parking mqtt --processes {processes}, QoS 1, batches of {args.mqtt_batch_size}): "
                      f"{len(uplinks):,} messages in {seconds:.2f} s = {len(uplinks) / seconds:,.0f} messages/s wall-clock "
                      f"({stats['accepted']:,} accepted, {stats['duplicates']} duplicates, "
                      f"{stats['rejected'] + stats['dropped']} refused, {stats['batches']} batches, received per process "
                      f"{'/'.join(f'{share:,}' for share in shares)}); the subscribers used {cpu:.2f} CPU-seconds = "
                      f"{len(uplinks) / cpu:,.0f} messages per CPU-second = {1e6 * cpu / len(uplinks):.0f} µs each "
                      f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
                print(f"  CPU per message: subscribers {1e6 * cpu / len(uplinks):.0f} µs, PostgreSQL "
                      f"{1e6 * stats['postgres_cpu'] / len(uplinks):.0f} µs (every session of the cluster during the "
                      f"pass, other users' included), mosquitto {1e6 * stats['mosquitto_cpu'] / len(uplinks):.0f} µs; "
                      f"their sum bounds one machine at {os.cpu_count()} cores to "
                      f"{os.cpu_count() * len(uplinks) / (cpu + stats['postgres_cpu'] + stats['mosquitto_cpu']):,.0f} "
                      f"messages/s")
                assert stats["accepted"] == len(uplinks) == stored_events(app, other_id)
            finally:
                cleanup(app, other_id)
    finally:
        cleanup(app, territory_id)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
