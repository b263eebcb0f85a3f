"""The accessibility statement's conformity level, measured by the automated axe-core crawl.

``accessibility_audit.json`` beside this module is written by the browser crawl
(``python -m tests.browser.capture``): every page each demo role reaches, at 360 and 1,280 px,
checked with axe-core. RGAA bands: every criterion met is "fully", half or more "partially",
less "not compliant". Automated rules cover only part of the RGAA criteria, so an automated
audit alone never claims more than "partially compliant"; a manual audit recorded by the
territory admin replaces it.
"""
import json
import os
from datetime import date
from functools import lru_cache

AUDIT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "accessibility_audit.json")
FULL, PARTIAL, NONE = "full", "partial", "none"


def automated_audit(path=AUDIT_FILE):
    """The last recorded crawl, or None when it was never run (read again only when the file changes)."""
    try:
        return _read(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


@lru_cache(maxsize=4)
def _read(path, _mtime):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def audit_rate(audit):
    """Share of the axe rules that applied and passed on every page, in percent."""
    passed, failed = audit["rules"]["passed"], audit["rules"]["failed"]
    return 100.0 * passed / (passed + failed) if passed + failed else 0.0


def conformity(fields, audit):
    """Return (level, rate, source) for the statement: the manual audit if any, else the crawl."""
    if fields.get("audit_rate") is not None:
        rate = float(fields["audit_rate"])
        level = FULL if rate >= 100 else PARTIAL if rate >= 50 else NONE
        return level, rate, "manual"
    if audit is None:
        return NONE, None, None
    rate = audit_rate(audit)
    level = PARTIAL if rate >= 50 else NONE
    return level, rate, "automated"


def as_date(value):
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
