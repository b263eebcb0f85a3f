"""A real MQTT broker for tests and benchmarks: Debian's mosquitto on a free loopback port, with persistence.

Started and stopped by its process id; restarting it keeps its port and its
persistence file, so sessions and queued QoS 1 messages survive, as they do on
a production broker.
"""
import getpass
import os
import shutil
import socket
import subprocess
import time

import pytest

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mosquitto:
    """One mosquitto process; ``url`` is what ``coopserv parking mqtt --broker`` takes."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.port = free_port()
        self.process = None
        self.config = os.path.join(self.folder, "mosquitto.conf")
        with open(self.config, "w", encoding="utf-8") as handle:
            # Run as root, mosquitto would switch to its own user and could not write its files here.
            handle.write(f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\nallow_anonymous true\n"
                         f"persistence true\npersistence_location {self.folder}/\n"
                         "max_queued_messages 0\nmax_inflight_messages 0\n"
                         f"log_dest file {self.folder}/mosquitto.log\n")

    @property
    def url(self):
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen([MOSQUITTO, "-c", self.config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"mosquitto exited with {self.process.returncode}")
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self):
        """Stop it as a service manager would (SIGTERM: it saves its persistence file first)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self):
        self.stop()
        return self.start()


@pytest.fixture
def mosquitto(tmp_path):
    if not os.path.exists(MOSQUITTO):
        pytest.fail("mosquitto is not installed: run tests/setup.sh (it installs Debian's mosquitto)")
    broker = Mosquitto(tmp_path).start()
    yield broker
    broker.stop()
