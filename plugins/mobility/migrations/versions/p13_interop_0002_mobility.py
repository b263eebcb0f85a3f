"""mobility feeds: where shuttle runs start and how long they take (GTFS)

Revision ID: p13_interop_0002_mobility
Revises: mobility_0001_tables
Create Date: 2026-11-30 03:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p13_interop_0002_mobility'
down_revision = 'mobility_0001_tables'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mobility_shuttle_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('origin_longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('duration_minutes', sa.Integer(), server_default='20', nullable=False))


def downgrade():
    with op.batch_alter_table('mobility_shuttle_run', schema=None) as batch_op:
        batch_op.drop_column('duration_minutes')
        batch_op.drop_column('origin_longitude')
        batch_op.drop_column('origin_latitude')
