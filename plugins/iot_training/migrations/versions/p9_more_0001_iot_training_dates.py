"""iot_training notifications keep their dates as dates, said in the reader's language when shown

Revision ID: p9_more_0001_iot_training_dates
Revises: iot_training_0001_tables
Create Date: 2026-11-30 10:50:00.000000

Training notifications used to store the session's first day as text ("03/12/2026"), formatted
when they were made. They now store it tagged ({"$date": "2026-12-03"}, coopserv.json_values),
and this revision converts the rows written before. Rows of other messages are left alone.
"""
import re
from datetime import datetime

from coopserv.plugin_api import convert_notification_param

# revision identifiers, used by Alembic.
revision = 'p9_more_0001_iot_training_dates'
down_revision = 'iot_training_0001_tables'
branch_labels = None
depends_on = None

#: The training notifications that carry a date (plugins/iot_training/services.py).
MESSAGES = (
    "A seat freed up in “%(course)s” starting %(date)s: you are enrolled.",
    "An employee asks to join “%(course)s” starting %(date)s: your approval is needed.",
    "The session of “%(course)s” starting %(date)s is cancelled.",
    "The session of “%(course)s” starting %(date)s is confirmed.",
)
OLD_TEXT = re.compile(r"^\d{2}/\d{2}/\d{4}$")

def _to_tagged(value):
    if isinstance(value, str) and OLD_TEXT.match(value):
        return {"$date": datetime.strptime(value, "%d/%m/%Y").date().isoformat()}
    return None


def _to_text(value):
    if isinstance(value, dict) and set(value) == {"$date"}:
        return datetime.strptime(value["$date"], "%Y-%m-%d").strftime("%d/%m/%Y")
    return None


def upgrade():
    convert_notification_param(MESSAGES, _to_tagged)


def downgrade():
    convert_notification_param(MESSAGES, _to_text)
