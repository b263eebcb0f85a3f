"""A plugin for the several-machines test: each tick appends a line to the file COOPSERV_TEST_TICK_LOG names."""
import os

from coopserv.plugin_api import hookimpl


@hookimpl
def tick(territory, now):
    path = os.environ.get("COOPSERV_TEST_TICK_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{territory.slug} {now.isoformat(timespec='seconds')} {os.getpid()}\n")
