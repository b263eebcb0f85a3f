"""A regular wheel install works: it migrates a new database, seeds the demo and serves the portal.

The wheel is built from a copy of the sources and installed in a fresh virtual environment,
away from the repository, so nothing is read from the working tree. Dependencies come from a
wheelhouse kept between runs (``COOPSERV_WHEELHOUSE``, by default beside the test virtualenv):
the first run fills it from the package index, later runs install offline in seconds.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: What the wheel is built from; tests, examples and local state stay out.
SOURCES = ("pyproject.toml", "README.md", "coopserv", "plugins", "migrations")
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _copy_sources(destination):
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.egg-info")
    for name in SOURCES:
        source = os.path.join(ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(destination, name), ignore=ignore)
        else:
            shutil.copy2(source, destination)


def _build_wheel(tmp_path):
    sources = tmp_path / "src"
    sources.mkdir()
    _copy_sources(sources)
    dist = tmp_path / "dist"
    # setuptools comes with the test extra, so no build environment is downloaded.
    _run(PIP + ["wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist), str(sources)])
    (wheel,) = dist.glob("coopserv-*.whl")
    return wheel


def _install(wheel, venv):
    """Install the wheel and its dependencies from the wheelhouse, filling it first when it lacks one."""
    wheelhouse = os.environ.get("COOPSERV_WHEELHOUSE") or os.path.join(sys.prefix, "wheelhouse")
    os.makedirs(wheelhouse, exist_ok=True)
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = str(venv / "bin" / "python")
    offline = PIP + ["--python", python, "install", "--quiet", "--no-index", "--find-links", wheelhouse, str(wheel)]
    if subprocess.run(offline, capture_output=True, timeout=600).returncode != 0:
        _run(PIP + ["wheel", "--quiet", "-w", wheelhouse, str(wheel)])
        for stale in os.listdir(wheelhouse):
            if stale.startswith("coopserv-"):
                os.remove(os.path.join(wheelhouse, stale))
        _run(offline)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8", "replace")


def test_wheel_installs_migrates_seeds_and_serves(tmp_path):
    wheel = _build_wheel(tmp_path)
    venv = tmp_path / "venv"
    _install(wheel, venv)
    work = tmp_path / "work"
    work.mkdir()
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("COOPSERV_", "PYTHON", "VIRTUAL_ENV", "FLASK_"))}
    environment.update(COOPSERV_INSTANCE_PATH=str(work / "instance"),
                       COOPSERV_DATABASE_URL="sqlite:///" + str(work / "fresh.sqlite"))
    coopserv = str(venv / "bin" / "coopserv")
    run = dict(cwd=str(work), env=environment)

    where = _run([str(venv / "bin" / "python"), "-c", "import coopserv, coopserv_plugins;"
                  "print(coopserv.__file__); print(coopserv.migrations_directory())"], **run).stdout.split()
    assert all(path.startswith(str(venv)) for path in where), where

    assert "up to date" in _run([coopserv, "upgrade"], **run).stdout
    def revisions(command):
        return {line.split()[0] for line in _run([coopserv, "db", command], **run).stdout.splitlines()
                if line.strip() and not line.startswith("INFO")}

    heads = revisions("heads")
    head_lines = _run([coopserv, "db", "heads"], **run).stdout.splitlines()
    for chain in ("core", "concierge", "mobility", "smart_parking"):  # whatever each chain's latest revision
        assert len([line for line in head_lines if f"({chain})" in line]) == 1, (chain, head_lines)
    assert revisions("current") == heads
    assert "Demo territories created." in _run([coopserv, "demo", "--no-serve"], **run).stdout

    port = _free_port()
    server = subprocess.Popen([coopserv, "run", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, **run)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, page = _get(f"http://127.0.0.1:{port}/t/figeac/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the installed app did not start:\n" + server.stdout.read().decode()[-3000:]
                                if server.poll() is not None else "the installed app did not answer in 60 s")
                time.sleep(0.5)
        assert status == 200 and "Figeac" in page
        status, login = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and "csrf-token" in login
        status, _css = _get(f"http://127.0.0.1:{port}/static/css/coopserv.css")
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
