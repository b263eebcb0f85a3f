"""`coopserv parking ...`: replay simulated sensor traffic on a lot; listen to MQTT sensors."""
import time

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from coopserv.plugin_api import db, territory_scope

parking_group = AppGroup("parking", help="Smart parking: simulate sensor traffic, listen to MQTT sensors.")


@parking_group.command("simulate")
@click.argument("territory_slug")
@click.argument("lot")
@click.option("--events", default=1000, show_default=True, type=click.IntRange(1, 10_000_000),
              help="How many sensor events to send.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 5000),
              help="Most events a sensor sends at once.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (same seed, same traffic).")
@click.option("--heartbeat", default=10, show_default=True, type=click.IntRange(0, 120),
              help="Minutes between two reports of an unchanged spot (0: changes only).")
@click.option("--form", "form", default="own", show_default=True,
              type=click.Choice(["own", "ngsi-v2", "ngsi-ld", "mqtt"]),
              help="coopserv's own events, Orion/NGSI-LD notifications, or MQTT messages shaped by the lot's mapping.")
@click.option("--broker", envvar="COOPSERV_MQTT_URL", default="mqtt://127.0.0.1:1883", show_default=True,
              help="Where --form mqtt publishes (mqtt://[user:password@]host:port).")
def simulate_command(territory_slug, lot, events, batch_size, seed, heartbeat, form, broker):
    """Replay realistic traffic (morning arrivals, lunch, evening departures) on LOT (its id or name)."""
    from coopserv.plugin_api import Territory

    from .models import Lot
    from .simulator import simulate

    territory = db.session.scalar(select(Territory).filter_by(slug=territory_slug))
    if territory is None:
        raise click.ClickException(f"No territory {territory_slug!r}.")
    with territory_scope(territory):
        condition = Lot.name == lot
        if lot.isdigit():
            condition = or_(condition, Lot.id == int(lot))
        found = db.session.scalar(select(Lot).where(condition))
        if found is None:
            raise click.ClickException(f"No car park {lot!r} in {territory.name}.")
        started = time.perf_counter()
        publisher = Publisher(broker) if form == "mqtt" else None
        try:
            report = simulate(found, events=events, batch_size=batch_size, seed=seed, heartbeat_minutes=heartbeat,
                              form=form, publish=publisher.send if publisher else None)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        finally:
            if publisher:
                publisher.close()
        elapsed = time.perf_counter() - started
    if form == "mqtt":
        click.echo(f"{report.sent} MQTT messages published for {found.name} ({report.sent / elapsed:,.0f}/s); "
                   "coopserv parking mqtt stores them.")
        return
    click.echo(f"{report.sent} events sent ({form}) in {report.batches} batches to {found.name}: "
               f"{report.accepted} accepted, {report.duplicates} duplicates, {report.rejected} rejected; "
               f"{report.sent / elapsed:,.0f} events/s.")


class Publisher:
    """A QoS 1 MQTT publisher for the simulator: waits for the broker to confirm every message."""

    def __init__(self, broker):
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        from .mqtt import parse_broker_url

        try:
            host, port, tls, username, password = parse_broker_url(broker)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="")
        if username:
            self.client.username_pw_set(username, password)
        if tls:
            self.client.tls_set()
        try:
            self.client.connect(host, port)
        except OSError as error:
            raise click.ClickException(f"Cannot reach the MQTT broker {host}:{port}: {error}") from error
        self.client.loop_start()
        self.pending = []

    def send(self, topic, payload):
        self.pending.append(self.client.publish(topic, payload, qos=1))
        if len(self.pending) >= 1000:
            self._wait()

    def _wait(self):
        for info in self.pending:
            info.wait_for_publish(30)
        self.pending = []

    def close(self):
        self._wait()
        self.client.disconnect()
        self.client.loop_stop()


@parking_group.command("mqtt")
@click.option("--broker", envvar="COOPSERV_MQTT_URL", default="mqtt://127.0.0.1:1883", show_default=True,
              help="mqtt://[user:password@]host:port, or mqtts:// for TLS (env COOPSERV_MQTT_URL).")
@click.option("--client-id", envvar="COOPSERV_MQTT_CLIENT_ID", default="coopserv-parking", show_default=True,
              help="The broker keeps this client's session (subscriptions, unacknowledged messages) while it is away.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1, 5000),
              help="Most messages stored (and acknowledged) at once (statements per batch are a fixed few: "
                   "bigger batches, less database work per message).")
@click.option("--flush-ms", default=200, show_default=True, type=click.IntRange(1, 60_000),
              help="Longest wait before a partial batch is stored.")
@click.option("--reload-seconds", default=60, show_default=True, type=click.IntRange(1, 3600),
              help="How often the lots' MQTT mappings are read again.")
@click.option("--exit-when-idle", type=click.FloatRange(0.1, None), default=None,
              help="Stop after this many seconds without a message (catch-up runs); by default, run until stopped.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Subscriber processes sharing the topics (MQTT 5 shared subscription); process i > 0 "
                   "connects as CLIENT_ID-i.")
@click.option("--share-group", envvar="COOPSERV_MQTT_SHARE_GROUP", default=None,
              help="Share the topics with every subscriber of this group (each message goes to one); "
                   "by default the client id when --processes > 1, else not shared.")
def mqtt_command(broker, client_id, batch_size, flush_ms, reload_seconds, exit_when_idle, processes, share_group):
    """Listen to the sensors' MQTT topics every lot declares and store what they report (runs until stopped)."""
    from .mqtt import Subscriber, check_share_group, parse_broker_url
    from .mqtt_group import client_id_of, serve, total

    if share_group is None and processes > 1:
        share_group = client_id
    try:
        parse_broker_url(broker)
        if share_group is not None:
            check_share_group(share_group)
    except ValueError as error:
        raise click.ClickException(str(error)) from error

    def make_subscriber(index):
        return Subscriber(broker, client_id=client_id_of(client_id, index), batch_size=batch_size,
                          flush_seconds=flush_ms / 1000, reload_seconds=reload_seconds, share_group=share_group)

    host, port = parse_broker_url(broker)[:2]
    shared = f", {processes} process(es) sharing group {share_group}" if share_group else ""
    click.echo(f"Listening to {host}:{port} as {client_id}{shared}; stop with Ctrl-C or SIGTERM.")
    results = serve(make_subscriber, processes, idle_exit=exit_when_idle)
    stats = total(results)
    failed = sum(1 for result in results if result is None)
    click.echo(f"{stats['received']} messages: {stats['accepted']} accepted, {stats['duplicates']} duplicates, "
               f"{stats['rejected']} refused, {stats['dropped']} unreadable, {stats['unmatched']} on no lot's topic; "
               f"{stats['reconnects']} reconnections.")
    if failed:
        raise click.ClickException(f"{failed} subscriber process(es) failed: see the log.")
