"""mobility: an index on each foreign key that had none (business parks, towns, organisations, crews, commutes)

Revision ID: p17_fk_0003_mobility_indexes
Revises: p9_more_0002_mobility_dates
Create Date: 2026-11-30 17:40:00

"""
from coopserv.plugin_api import drop_column_indexes, index_columns


revision = 'p17_fk_0003_mobility_indexes'
down_revision = 'p9_more_0002_mobility_dates'
branch_labels = None
depends_on = None

#: (table, column): foreign keys that no index led, so deleting the row they point to scanned the table.
INDEXED = [
    ('mobility_bike_pool', 'business_park_id'),
    ('mobility_shuttle_run', 'business_park_id'),
    ('mobility_commute', 'business_park_id'),
    ('mobility_commute', 'organization_id'),
    ('mobility_commute', 'town_id'),
    ('mobility_crew', 'business_park_id'),
    ('mobility_crew_member', 'commute_id'),
    ('mobility_crew_member', 'organization_id'),
    ('mobility_proposal', 'crew_id'),
]


def upgrade():
    index_columns(INDEXED)


def downgrade():
    drop_column_indexes(INDEXED)
