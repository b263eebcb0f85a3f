"""concierge: an index on each foreign key that had none (orders' slot, order lines' item)

Revision ID: p17_fk_0002_concierge_indexes
Revises: concierge_0001_tables
Create Date: 2026-11-30 17:40:00

"""
from coopserv.plugin_api import drop_column_indexes, index_columns


revision = 'p17_fk_0002_concierge_indexes'
down_revision = 'concierge_0001_tables'
branch_labels = None
depends_on = None

#: (table, column): foreign keys that no index led, so deleting the row they point to scanned the table.
INDEXED = [
    ('concierge_order', 'slot_id'),
    ('concierge_order_line', 'item_id'),
]


def upgrade():
    index_columns(INDEXED)


def downgrade():
    drop_column_indexes(INDEXED)
