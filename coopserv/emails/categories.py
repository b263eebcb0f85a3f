"""The kinds of e-mail a person can tune: sent at once, gathered in a daily digest, or never."""
from dataclasses import dataclass

from coopserv.i18n import _l

IMMEDIATELY = "immediately"
DIGEST = "digest"
NEVER = "never"
MODES = (IMMEDIATELY, DIGEST, NEVER)
MODE_LABELS = {IMMEDIATELY: _l("At once"), DIGEST: _l("In a daily digest"), NEVER: _l("Never (in the portal only)")}


@dataclass(frozen=True)
class Category:
    """A category of messages; ``tunable`` ones appear on the settings page and can be unsubscribed."""

    key: str
    label: str
    description: str
    tunable: bool = True


SECURITY = Category("security", _l("Account security"),
                    _l("Password resets: sent whenever you ask for one."), tunable=False)
INVITATIONS = Category("invitations", _l("Invitations to join"), _l("Invitations to join a territory's portal."))
COMMITTEE = Category("committee", _l("Steering committee"),
                     _l("Meeting invitations and changes, votes opened and their results."))
PROJECTS = Category("projects", _l("Service projects"), _l("Decisions on service projects."))
NEEDS = Category("needs", _l("Needs"),
                 _l("News of needs you expressed or supported; collective needs reaching their threshold."))
REQUESTS = Category("requests", _l("My services"),
                    _l("Your requests: places offered, enrolments, waiting lists, status changes."))
REMINDERS = Category("reminders", _l("Reminders"), _l("The day before a session, or before an offer lapses."))
#: A visitor's registration to a public event: the confirmation they asked for, sent at once.
EVENTS = Category("events", _l("Event registrations"), _l("The confirmation of a registration to a public event."),
                  tunable=False)

CATEGORIES = {c.key: c for c in (SECURITY, INVITATIONS, COMMITTEE, PROJECTS, NEEDS, REQUESTS, REMINDERS, EVENTS)}


def tunable_categories():
    """Categories a signed-in person chooses a mode for (invitations reach people without accounts)."""
    return [c for c in CATEGORIES.values() if c.tunable and c is not INVITATIONS]
