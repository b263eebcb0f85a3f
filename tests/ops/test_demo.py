"""`coopserv demo` works end to end with one command: the portal and a job worker, so mail really goes out."""
import os
import signal
import subprocess
import sys

from tests.ops.test_several_machines import ROOT, Browser, _csrf, free_port, wait_for


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as gone
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except FileNotFoundError:
        return False


def _answers(browser, url):
    try:
        return browser.request(url)[0] == 200
    except OSError:  # not listening yet (migrating and seeding)
        return False


def test_demo_serves_the_portal_with_a_worker_that_delivers_mail(tmp_path):
    instance = tmp_path / "instance"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPSERV_")}
    env.update({"PYTHONPATH": ROOT, "COOPSERV_INSTANCE_PATH": str(instance),
                "COOPSERV_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
                "COOPSERV_SECRET_KEY": "demo-test-secret", "COOPSERV_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    log = open(tmp_path / "demo.log", "w+")
    demo = subprocess.Popen([sys.executable, "-m", "coopserv", "demo", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        browser = Browser()
        wait_for(lambda: _answers(browser, base + "/healthz"), 300, "the demo portal")
        log.seek(0)
        worker_pid = int(log.read().split("Job worker started (process ")[1].split(")")[0])
        assert _alive(worker_pid)

        status, page = browser.request(base + "/password/forgot")
        assert status == 200
        status, _page = browser.request(base + "/password/forgot",
                                        {"email": "employee@figeac.demo", "csrf_token": _csrf(page)})
        assert status in (200, 302)
        # The web request only queued the message; the demo's worker writes it to the outbox.
        outbox = instance / "outbox"
        def reset_messages():
            return [path for path in outbox.glob("*-employee_at_figeac.demo.eml")
                    if "/password/reset/" in path.read_text(encoding="utf-8")] if outbox.exists() else []

        [message] = wait_for(reset_messages, 90, "the reset e-mail")
        assert "To: employee@figeac.demo" in message.read_text(encoding="utf-8")
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C: the demo stops its worker too
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=10)
    log.seek(0)
    output = log.read()
    if "Job worker started (process " in output:
        pid = int(output.split("Job worker started (process ")[1].split(")")[0])
        wait_for(lambda: not _alive(pid), 20, "the worker to stop with the demo")
