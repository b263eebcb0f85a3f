"""Several MQTT subscriber processes sharing the lots' topics, forked by one ``coopserv parking mqtt --processes N``.

One process decodes and stores about 4,000 messages per CPU-second and waits
for the database in between; forked copies (same application, their own
database connections and broker sessions) share the topics through an MQTT 5
shared subscription, so the machine's cores and the database work at once.
"""
import json
import logging
import os
import signal
import threading

from coopserv.plugin_api import db

log = logging.getLogger(__name__)


def client_id_of(client_id, index):
    """Process 0 keeps the configured client id (and the session it already has); the others add their number."""
    return client_id if index == 0 else f"{client_id}-{index}"


def serve(make_subscriber, processes, idle_exit=None):
    """Run ``make_subscriber(index)`` in this process and in ``processes - 1`` forked ones; return each one's stats.

    Stats come back as dicts (None for a child that failed). SIGTERM and SIGINT
    stop every process after its current batch.
    """
    db.session.remove()  # no connection checked out: a child must not share one with its parent
    children = []
    for index in range(1, processes):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _child(make_subscriber, index, idle_exit, write_end)
        os.close(write_end)
        children.append((pid, read_end))
    subscriber = make_subscriber(0)
    previous = _stop_on_signals(subscriber, [pid for pid, _read_end in children])
    try:
        results = [subscriber.run(idle_exit=idle_exit).as_dict()]
    finally:
        for number, handler in previous.items():
            if handler is not None:  # None: a handler not set from Python, which cannot be put back
                signal.signal(number, handler)
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        results.append(json.loads(data) if data else None)
    return results


def _child(make_subscriber, index, idle_exit, write_end):
    """Body of a forked subscriber: its own connections, its own session; never returns."""
    code = 1
    try:
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        subscriber = make_subscriber(index)
        _stop_on_signals(subscriber, [])
        stats = subscriber.run(idle_exit=idle_exit)
        os.write(write_end, json.dumps(stats.as_dict()).encode())
        code = 0
    except BaseException:
        log.exception("MQTT subscriber process %s failed", index)
    finally:
        os._exit(code)


def _stop_on_signals(subscriber, children):
    """Stop the subscriber (and tell the children) on SIGTERM or SIGINT; return the handlers replaced."""
    if threading.current_thread() is not threading.main_thread():  # signals can only be caught there
        return {}

    def stop(number, _frame):
        subscriber.stop.set()
        for pid in children:
            try:
                os.kill(pid, number)
            except ProcessLookupError:
                pass

    return {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}


def total(results):
    """Sum the counters of several subscribers' stats (dicts; None for a failed process)."""
    summed = {"received": 0, "accepted": 0, "duplicates": 0, "rejected": 0, "dropped": 0, "unmatched": 0,
              "batches": 0, "reconnects": 0, "cpu_seconds": 0.0}
    for result in results:
        for name in summed:
            summed[name] += (result or {}).get(name, 0)
    return summed
