"""Regenerate docs/screenshots and the accessibility audit from the demo, in Chromium.

    .venv/bin/python -m tests.browser.capture

Seeds the demo into a throw-away SQLite database, serves it on a free loopback port, crawls every page
of every demo role at 360 and 1,280 px (tests/browser/crawl.py), photographs the main pages at both
widths into docs/screenshots/, and writes coopserv/legal/accessibility_audit.json, which the
accessibility statement reads. Prints the problems found (the browser test fails on the same ones).
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
from datetime import date

from tests.browser import crawl as crawler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOTS = os.path.join(ROOT, "docs", "screenshots")
AUDIT = os.path.join(ROOT, "coopserv", "legal", "accessibility_audit.json")


def main():
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{os.path.join(folder, 'demo.db')}"
        env = {**os.environ, "COOPSERV_DATABASE_URL": url}
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "coopserv"), "demo", "--no-serve"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        os.environ["COOPSERV_DATABASE_URL"] = url
        from playwright.sync_api import sync_playwright
        from werkzeug.serving import make_server

        from coopserv import create_app
        from coopserv.testing import CHROMIUM_ARGS

        app = create_app()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        adapter = app.url_map.bind("localhost")

        def endpoint_of(path):
            from werkzeug.exceptions import HTTPException

            try:
                return adapter.match(path.split("?", 1)[0], method="GET")[0]
            except HTTPException:
                return None

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("COOPSERV_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS)
                try:
                    report = crawler.crawl(browser, f"http://127.0.0.1:{server.server_port}", endpoint_of,
                                           screenshot_dir=SCREENSHOTS)
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
    with open(AUDIT, "w", encoding="utf-8") as handle:
        json.dump(report.audit(date.today().isoformat()), handle, indent=2, sort_keys=True)
        handle.write("\n")
    print(f"{len(report.visited)} pages checked; screenshots in {os.path.relpath(SCREENSHOTS, ROOT)}/")
    for problem in report.problems:
        print(problem)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
