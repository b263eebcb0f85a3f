"""MQTT sensors in: the long-running subscriber behind ``coopserv parking mqtt``.

Parking sensors usually reach the world through a LoRaWAN network server
(ChirpStack, The Things Stack…) that publishes every uplink on MQTT. Each lot
declares the topics to listen to and, with JSON pointers, where a message
holds the sensor's identifier (or the spot's number), the status and the time
of observation (``MqttMapping``). The subscriber buffers messages, feeds them
in batches to the ingestion path (one ``ingest`` call per sensor per batch) and
acknowledges them only once committed. With QoS 1 and a persistent session
(MQTT 5, clean start off, a long session expiry), a message is never lost when
the broker or coopserv restarts; one delivered twice carries the same event id
(the network's own, or one derived from sensor and time), so it is applied once.

Several subscribers (``--processes N``, or N copies started by hand with the same
``--share-group``) share the topics through MQTT 5 shared subscriptions
(``$share/<group>/<filter>``): the broker gives each message to one of them. Two
readings of one spot may then be stored by two processes in either order, which
ingestion already settles (a spot shows its newest observation; event ids are
unique per sensor; a sensor's batches take turns on its row lock).
"""
import functools
import json
import logging
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import orjson

from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, Territory, db, territory_scope

from .models import SPOT_STATUSES, MqttMapping
from .ngsi import derived_event_id, parse_time
from .observations import Observation, feed

log = logging.getLogger(__name__)
#: A session the broker keeps for a week while coopserv is away (MQTT 5 Session Expiry Interval, seconds).
SESSION_EXPIRY = 7 * 24 * 3600
_MISSING = object()
#: How many batches of unacknowledged messages the broker may send ahead (MQTT 5 Receive Maximum).
IN_FLIGHT_BATCHES = 4


class MessageError(ValueError):
    """A message that no retry can fix (not JSON, a pointer leading nowhere, an unknown value): dropped, logged."""


@functools.lru_cache(maxsize=1024)
def _tokens(pointer):
    """A JSON pointer's reference tokens, unescaped once (the subscriber reads the same few pointers all day)."""
    return tuple(token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:])


def resolve(document, pointer):
    """The value at a JSON pointer (RFC 6901) in ``document``, or ``_MISSING``."""
    if pointer == "":
        return document
    value = document
    for token in _tokens(pointer):
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _MISSING
    return value


def place(document, pointer, value):
    """Set ``value`` at a JSON pointer, creating objects on the way (the simulator writes messages with it)."""
    tokens = [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        document = document.setdefault(token, {})
    document[tokens[-1]] = value


def raw_text(value):
    """A raw value as the text mappings list it under: true, 1, busy."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def message_time(value):
    """An observation time from text (ISO 8601) or a number (Unix seconds, or milliseconds); naive UTC or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_time(value)


@dataclass(frozen=True)
class Rule:
    """A lot's mapping, detached from the database: the subscriber reads it on every message."""

    mapping_id: int
    territory_id: int
    lot_id: int
    topic: str
    sensor_pointer: str
    spot_pointer: str
    status_pointer: str
    status_values: tuple
    time_pointer: str
    event_id_pointer: str

    @classmethod
    def of(cls, mapping):
        return cls(mapping.id, mapping.territory_id, mapping.lot_id, mapping.topic, mapping.sensor_pointer,
                   mapping.spot_pointer, mapping.status_pointer, tuple(sorted(mapping.status_values.items())),
                   mapping.time_pointer, mapping.event_id_pointer)

    @functools.cached_property
    def statuses(self):
        """Raw value (as text) to spot status."""
        return dict(self.status_values)

    @property
    def match(self):
        """How the message names its spot: by sensor identifier, else by the spot's number in the lot."""
        return "sensor_id" if self.sensor_pointer else "ref"

    def read(self, document):
        """Return (spot key, status, observed at, event id) of a decoded message, or raise MessageError."""
        if not isinstance(document, dict):
            raise MessageError("the message is not a JSON object")
        pointer = self.sensor_pointer or self.spot_pointer
        key = resolve(document, pointer)
        if key is _MISSING or key in (None, "") or isinstance(key, (dict, list, bool)):
            raise MessageError(f"nothing usable at {pointer}")
        key = str(key)
        raw = resolve(document, self.status_pointer)
        status = self.statuses.get(raw_text(raw)) if raw is not _MISSING else None
        if status not in SPOT_STATUSES:
            raise MessageError(f"no status for the value {raw_text(raw) if raw is not _MISSING else 'missing'!r} "
                               f"at {self.status_pointer}")
        observed_at = message_time(resolve(document, self.time_pointer))
        if observed_at is None:
            raise MessageError(f"no date and time at {self.time_pointer}")
        event_id = None
        if self.event_id_pointer:
            own = resolve(document, self.event_id_pointer)
            if own is not _MISSING and own not in (None, "") and not isinstance(own, (dict, list)):
                own = raw_text(own)
                event_id = f"mqtt-{own}" if len(own) <= 59 else derived_event_id("mqtt", own, observed_at)
        return key, status, observed_at, event_id or derived_event_id("mqtt", key, observed_at)


def message_for(rule, key, event):
    """(topic, payload) of the message a network server would publish for an event, in the rule's shape."""
    document = {}
    place(document, rule.sensor_pointer or rule.spot_pointer, key)
    raw = next(raw for raw, status in rule.status_values if status == event["status"]) \
        if any(status == event["status"] for _raw, status in rule.status_values) else event["status"]
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    place(document, rule.status_pointer, value)
    place(document, rule.time_pointer, event["observed_at"])
    if rule.event_id_pointer:
        place(document, rule.event_id_pointer, event["event_id"])
    levels = ["up" if level == "#" else key if level == "+" else level for level in rule.topic.split("/")]
    return "/".join(levels), json.dumps(document).encode("utf-8")


def load_rules():
    """Every active mapping of every territory, as rules."""
    mappings = db.session.scalars(select(MqttMapping).where(MqttMapping.active.is_(True))
                                  .order_by(MqttMapping.id).execution_options(**{ALL_TERRITORIES: True})).all()
    return [Rule.of(mapping) for mapping in mappings]


@dataclass
class Received:
    """A message held until its batch is committed; ``generation`` is the connection it came on.

    ``decoded``: None when no lot listens to its topic, the reason when it is not JSON, else
    [(rule, (spot key, status, observed at, event id) or the MessageError)] for each rule of its topic.
    """

    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes
    decoded: object = None


@dataclass
class Stats:
    """What a subscriber did; ``last_commit_at`` (time.monotonic, comparable across processes) and
    ``cpu_seconds`` (its process's during ``run``, other threads included) time it in benchmarks."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    dropped: int = 0
    unmatched: int = 0
    batches: int = 0
    reconnects: int = 0
    reasons: dict = field(default_factory=lambda: defaultdict(int))
    last_commit_at: float | None = None
    cpu_seconds: float = 0.0

    def as_dict(self):
        """Plain values (sent as JSON from a forked subscriber to its parent)."""
        return {**vars(self), "reasons": dict(self.reasons)}


def check_share_group(name):
    """A shared subscription's group name, or ValueError: MQTT 5 forbids "/", "+" and "#" in it."""
    if not name or any(character in name for character in "/+#"):
        raise ValueError(f"Invalid share group {name!r}: give a name without '/', '+' or '#'.")
    return name


def parse_broker_url(url):
    """(host, port, tls, username, password) of mqtt://user:password@host:1883 (mqtts:// for TLS)."""
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"Unknown broker scheme {parts.scheme!r}: use mqtt:// or mqtts://.")
    tls = parts.scheme in ("mqtts", "ssl")
    return (parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883), tls,
            unquote(parts.username) if parts.username else None, unquote(parts.password) if parts.password else None)


class Subscriber:
    """Subscribe to every lot's topics and feed their messages to ingestion, in batches, acknowledged once committed.

    paho's network thread receives and reconnects; this thread (the caller's,
    in an application context) stores batches and acknowledges them. ``stop``
    (a threading.Event) ends the loop after the current batch; ``ready`` is set
    while connected and subscribed.
    """

    def __init__(self, broker_url, client_id="coopserv-parking", batch_size=2000, flush_seconds=0.2,
                 reload_seconds=60.0, poll_seconds=0.005, share_group=None):
        self.host, self.port, self.tls, self.username, self.password = parse_broker_url(broker_url)
        self.client_id = client_id
        #: With a group, topics are shared with the group's other subscribers (each message goes to one).
        self.share_group = check_share_group(share_group) if share_group is not None else None
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.reload_seconds = reload_seconds
        self.poll_seconds = poll_seconds
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.stats = Stats()
        self.rules = []
        self.topics = set()
        #: Rules whose filter matches a topic, by topic (a sensor publishes on the same topic every time).
        self.matching = {}
        #: Territories of the rules, by id (detached copies, refreshed with the rules).
        self.territories = {}
        self.inbox = deque()
        #: Bumped at every connection; acknowledgements only go to messages of the current one.
        self.generation = 0
        self.connection_lock = threading.Lock()
        self.last_message = time.monotonic()
        self.client = None

    # -- connection (paho's network thread calls the _on_* methods) -------------------------------

    def _make_client(self):
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5,
                             manual_ack=True)
        if self.username:
            client.username_pw_set(self.username, self.password)
        if self.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    def _connect_properties(self):
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY
        # Acks wait for the commit, so the broker may send a few batches ahead: the next batch
        # arrives while this one is stored (with one batch only, the network and the database took turns).
        properties.ReceiveMaximum = min(65535, self.batch_size * IN_FLIGHT_BATCHES)
        return properties

    def _connect(self):
        """Connect with the same client id and no clean start, retrying until it works or stop is set."""
        delay = 0.2
        while not self.stop.is_set():
            try:
                self.client.connect(self.host, self.port, keepalive=30, clean_start=False,
                                    properties=self._connect_properties())
                return True
            except OSError as error:
                log.warning("MQTT broker %s:%s unreachable (%s); retrying in %.1f s", self.host, self.port, error,
                            delay)
                self.stop.wait(delay)
                delay = min(delay * 2, 30)
        return False

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("MQTT broker refused the connection: %s", reason_code)
            return
        with self.connection_lock:
            self.generation += 1
        if not self._subscribe(sorted(self.topics)):
            self.ready.set()
        log.info("Connected to %s:%s (session kept: %s), %d topic filter(s)", self.host, self.port,
                 flags.session_present, len(self.topics))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self.connection_lock:
            self.generation += 1  # what was received is stored but not acknowledged: the broker sends it again
        self.ready.clear()
        if not self.stop.is_set():
            self.stats.reconnects += 1
            log.warning("MQTT connection lost (%s); paho reconnects", reason_code)

    def _subscribe(self, topics):
        from paho.mqtt.subscribeoptions import SubscribeOptions

        if not topics:
            return False
        # retainHandling=1: retained messages only for a new subscription, not again on every reconnect.
        self.client.subscribe([(self._filter(topic), SubscribeOptions(qos=1, retainHandling=1)) for topic in topics])
        if self.share_group:
            # A session that listened alone before keeps its plain subscriptions: each message would come twice.
            self.client.unsubscribe(list(topics))
        return True

    def _filter(self, topic):
        """The filter subscribed to: the lot's, or its shared form when the subscriber is one of a group."""
        return f"$share/{self.share_group}/{topic}" if self.share_group else topic

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        failed = [code for code in reason_codes if code.is_failure]
        if failed:
            log.error("MQTT broker refused a subscription: %s", failed)
        self.ready.set()

    def _on_message(self, client, userdata, message):
        # Decoded here, on paho's thread, while the main thread waits for the database with the GIL released.
        topic, payload = message.topic, message.payload
        self.inbox.append(Received(self.generation, message.mid, message.qos, topic, payload,
                                   self._decode(topic, payload)))
        self.last_message = time.monotonic()

    def _decode(self, topic, payload):
        """What ``Received.decoded`` holds for a message; never raises (paho would stop its network loop)."""
        try:
            rules = self._rules_of(topic)
            if not rules:
                return None
            try:
                document = orjson.loads(payload)  # 3× json's speed on a LoRaWAN uplink (~1 KB)
            except (UnicodeDecodeError, ValueError):
                return "the message is not JSON"
            decoded = []
            for rule in rules:
                try:
                    decoded.append((rule, rule.read(document)))
                except MessageError as error:
                    decoded.append((rule, error))
            return decoded
        except Exception as error:  # a bug must not stop the network loop: the message is dropped, logged
            log.exception("Decoding an MQTT message on %s failed", topic)
            return f"the message could not be read ({error.__class__.__name__})"

    def _rules_of(self, topic):
        """The rules whose topic filter matches ``topic``, remembered per topic until the next reload."""
        matching = self.matching
        rules = matching.get(topic)
        if rules is None:
            from paho.mqtt.client import topic_matches_sub

            if len(matching) > 100_000:
                matching.clear()
            rules = matching[topic] = [rule for rule in self.rules if topic_matches_sub(rule.topic, topic)]
        return rules

    # -- rules ----------------------------------------------------------------------------------

    def reload(self):
        """Read the mappings again; subscribe to new topic filters and leave the ones no lot uses."""
        self.rules = load_rules()
        self.matching = {}
        self.territories = {}  # a renamed territory or a new time zone is seen within ``reload_seconds``
        db.session.rollback()  # end the read transaction: a long-lived process must not hold one open
        topics = {rule.topic for rule in self.rules}
        added, removed = topics - self.topics, self.topics - topics
        self.topics = topics
        if self.client is not None and self.client.is_connected():
            self._subscribe(sorted(added))
            if removed:
                self.client.unsubscribe([self._filter(topic) for topic in sorted(removed)])

    # -- batches --------------------------------------------------------------------------------

    def flush(self, batch):
        """Ingest a batch, commit, then acknowledge the messages that came on the current connection."""
        try:
            self._ingest(batch)
        except Exception:
            db.session.rollback()
            raise
        with self.connection_lock:
            for item in batch:
                if item.qos > 0 and item.generation == self.generation:
                    self.client.ack(item.mid, item.qos)
        self.stats.batches += 1
        self.stats.last_commit_at = time.monotonic()

    def _ingest(self, batch):
        groups = defaultdict(list)
        for item in batch:
            decoded = item.decoded
            if decoded is None:
                self.stats.unmatched += 1
            elif isinstance(decoded, str):
                self._drop(item, decoded)
            else:
                for rule, reading in decoded:
                    if isinstance(reading, MessageError):
                        self._drop(item, str(reading))
                    else:
                        groups[rule].append(reading)
        self.stats.received += len(batch)
        territories = self._territories({rule.territory_id for rule in groups})
        for rule, readings in groups.items():
            observations = [Observation(index, key, status, observed_at, event_id)
                            for index, (key, status, observed_at, event_id) in enumerate(readings)]
            with territory_scope(territories[rule.territory_id]):
                report = feed(observations, rule.match, lot_id=rule.lot_id, itemised=False)
            self.stats.accepted += report.accepted
            self.stats.duplicates += report.duplicates
            for result in report.results:
                if result.result == "rejected":
                    self.stats.rejected += 1
                    self.stats.reasons[result.reason] += 1
                    log.warning("MQTT message for %s refused (%s): %s", result.key, result.reason, result.errors)

    def _territories(self, ids):
        """The rules' territories, read once per reload and kept detached (commits do not expire them)."""
        missing = [territory_id for territory_id in ids if territory_id not in self.territories]
        if missing:
            for territory in db.session.scalars(select(Territory).where(Territory.id.in_(missing))).all():
                db.session.expunge(territory)
                self.territories[territory.id] = territory
        return self.territories

    def _drop(self, item, reason):
        self.stats.dropped += 1
        self.stats.reasons["unreadable"] += 1
        log.warning("MQTT message on %s dropped: %s", item.topic, reason)

    # -- main loop ------------------------------------------------------------------------------------

    def _take(self):
        batch = []
        while self.inbox and len(batch) < self.batch_size:
            batch.append(self.inbox.popleft())
        return batch

    def run(self, idle_exit=None):
        """Serve until ``stop`` is set (or, with ``idle_exit``, until that many seconds pass without a message)."""
        cpu_at_start = time.process_time()
        self.reload()
        self.client = self._make_client()
        if not self._connect():
            return self.stats
        self.client.loop_start()
        next_reload = time.monotonic() + self.reload_seconds
        pending = []
        waiting_since = None
        try:
            while not self.stop.is_set():
                before = len(self.inbox)
                self.stop.wait(self.poll_seconds)
                now = time.monotonic()
                if self.inbox and waiting_since is None:
                    waiting_since = now
                quiet = len(self.inbox) == before
                if pending or (self.inbox and (len(self.inbox) >= self.batch_size or quiet
                                               or now - waiting_since >= self.flush_seconds)):
                    pending = pending or self._take()
                    if self._store(pending):
                        pending = []
                    waiting_since = now if self.inbox else None
                if now >= next_reload:
                    self.reload()
                    next_reload = now + self.reload_seconds
                if idle_exit is not None and not self.inbox and not pending and now - self.last_message >= idle_exit:
                    break
        finally:
            while (pending or self.inbox) and self._store(pending or self._take(), retry=False):
                pending = []
            self.stop.set()  # leaving on purpose (also when idle): the disconnection is no connection lost
            self.client.disconnect()
            self.client.loop_stop()
            self.stats.cpu_seconds = time.process_time() - cpu_at_start
        return self.stats

    def _store(self, batch, retry=True):
        """Flush a batch; on a database failure keep it (unacknowledged) for another try and say so."""
        try:
            self.flush(batch)
            return True
        except Exception:
            log.exception("Storing a batch of MQTT messages failed; it will be tried again")
            if retry:
                self.stop.wait(1.0)
            return False
