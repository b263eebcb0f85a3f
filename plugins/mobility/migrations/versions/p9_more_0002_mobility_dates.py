"""mobility notifications keep the cancelled booking's time as an instant, said on the territory's clock

Revision ID: p9_more_0002_mobility_dates
Revises: p13_interop_0002_mobility
Create Date: 2026-11-30 10:50:00.000000

When a mobility service stopped, its cancellation notices stored the booking's UTC time as text
("2026-12-03 17:30"), which readers saw in UTC. They now store it tagged
({"$datetime": "2026-12-03T17:30:00"}, coopserv.json_values); this revision converts older rows.
"""
import re
from datetime import datetime

from coopserv.plugin_api import convert_notification_param

# revision identifiers, used by Alembic.
revision = 'p9_more_0002_mobility_dates'
down_revision = 'p13_interop_0002_mobility'
branch_labels = None
depends_on = None

#: The mobility notifications that carry a time (plugins/mobility/services.py).
MESSAGES = (
    "Your shuttle seats of %(date)s are cancelled: the service stopped.",
    "Your bike booking of %(date)s is cancelled: the service stopped.",
)
OLD_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

def _to_tagged(value):
    if isinstance(value, str) and OLD_TEXT.match(value):
        return {"$datetime": datetime.strptime(value, "%Y-%m-%d %H:%M").isoformat()}
    return None


def _to_text(value):
    if isinstance(value, dict) and set(value) == {"$datetime"}:
        return datetime.fromisoformat(value["$datetime"]).strftime("%Y-%m-%d %H:%M")
    return None


def upgrade():
    convert_notification_param(MESSAGES, _to_tagged)


def downgrade():
    convert_notification_param(MESSAGES, _to_text)
