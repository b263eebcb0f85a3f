"""JSON documents become JSONB on PostgreSQL (binary, comparable, indexable); SQLite keeps JSON text

Revision ID: p14_scale_0003_jsonb
Revises: p14_scale_0002_indexes
Create Date: 2026-11-30 04:30:00.000000

"""
from coopserv.migration_helpers import json_columns_to_jsonb, jsonb_columns_to_json


# revision identifiers, used by Alembic.
revision = 'p14_scale_0003_jsonb'
down_revision = 'p14_scale_0002_indexes'
branch_labels = None
depends_on = None

#: (table, column) of every JSON column of the core (spouse_welcome's follow in its own branch, p14_scale_0001_spouse_welcome_jsonb).
COLUMNS = [
    ("service_module", "config"),
    ("service_request", "payload"),
    ("service_project", "module_config"),
    ("governance_agenda_item", "tally"),
    ("audit_entry", "details"),
    ("notification", "params"),
    ("need_campaign_question", "choices"),
    ("need_campaign_answer", "answers"),
    ("governance_charter_version", "decision_rules"),
    ("project_event", "details"),
]


def upgrade():
    json_columns_to_jsonb(COLUMNS)


def downgrade():
    jsonb_columns_to_json(COLUMNS)
