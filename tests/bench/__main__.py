"""Run every benchmark and print its figures: `.venv/bin/python -m tests.bench` from the project root.

Benchmarks are not tests: they measure, they do not pass or fail. Each runs in
its own process on a scratch database (SQLite in a temporary folder, or the
database named by COOPSERV_DATABASE_URL: give them one they may fill).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHMARKS = ["portal_pages.py", "scale.py", "mobility_matching.py", "parking_ingestion.py", "csv_imports.py"]


def main():
    failures = 0
    for script in BENCHMARKS:
        print(f"\n=== {script}", flush=True)
        failures += subprocess.run([sys.executable, os.path.join(HERE, script)]).returncode != 0
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
