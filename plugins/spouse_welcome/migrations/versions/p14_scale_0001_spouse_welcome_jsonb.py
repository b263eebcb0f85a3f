"""spouse_welcome plugin: its JSON lists become JSONB on PostgreSQL; SQLite keeps JSON text

Revision ID: p14_scale_0004_spouse_jsonb
Revises: spouse_welcome_0001_tables
Create Date: 2026-11-30 04:30:00.000000

"""
from coopserv.plugin_api import json_columns_to_jsonb, jsonb_columns_to_json


# revision identifiers, used by Alembic.
revision = 'p14_scale_0004_spouse_jsonb'
down_revision = 'spouse_welcome_0001_tables'
branch_labels = None
depends_on = None

#: (table, column) of the spouse_welcome plugin's JSON columns.
COLUMNS = [
    ("spouse_welcome_case", "languages"),
    ("spouse_welcome_case", "sectors"),
    ("spouse_welcome_case", "children_ages"),
]


def upgrade():
    json_columns_to_jsonb(COLUMNS)


def downgrade():
    jsonb_columns_to_json(COLUMNS)
