"""spouse_welcome: an index on each foreign key that had none (who recorded a follow-up, who sent an introduction)

Revision ID: p17_fk_0004_spouse_indexes
Revises: p14_scale_0004_spouse_jsonb
Create Date: 2026-11-30 17:40:00

"""
from coopserv.plugin_api import drop_column_indexes, index_columns


revision = 'p17_fk_0004_spouse_indexes'
down_revision = 'p14_scale_0004_spouse_jsonb'
branch_labels = None
depends_on = None

#: (table, column): foreign keys that no index led, so deleting the row they point to scanned the table.
INDEXED = [
    ('spouse_welcome_follow_up', 'recorded_by_id'),
    ('spouse_welcome_introduction', 'sent_by_id'),
]


def upgrade():
    index_columns(INDEXED)


def downgrade():
    drop_column_indexes(INDEXED)
