"""JSON columns added since p14_scale_0003_jsonb become JSONB on PostgreSQL too; SQLite keeps JSON text

Revision ID: p14_ceilings_0002_jsonb
Revises: p14_ceilings_0001_a11y_rate
Create Date: 2026-11-30 14:05:00

"""
from coopserv.migration_helpers import json_columns_to_jsonb, jsonb_columns_to_json


revision = 'p14_ceilings_0002_jsonb'
down_revision = 'p14_ceilings_0001_a11y_rate'
branch_labels = None
depends_on = None

#: (table, column) of the core's JSON columns added by e-mails, imports, network, committee indicators,
#: required pages and notifications after the first conversion.
COLUMNS = [
    ("email_digest_entry", "context"),
    ("import_batch", "rows"),
    ("import_batch", "errors"),
    ("import_batch", "summary"),
    ("import_batch", "result"),
    ("network_audit_entry", "details"),
    ("practice_sheet", "results"),
    ("practice_sheet", "risks"),
    ("practice_sheet", "template"),
    ("committee_indicator", "filters"),
    ("legal_page", "fields"),
    ("notification", "link_target"),
]


def upgrade():
    json_columns_to_jsonb(COLUMNS)


def downgrade():
    jsonb_columns_to_json(COLUMNS)
