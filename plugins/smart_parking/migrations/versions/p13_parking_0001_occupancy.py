"""smart parking: occupancy rollup (occupied time and arrivals per spot, month and local hour)

Revision ID: p13_parking_0001_occupancy
Revises: p13_more_0001_lot_ngsi_id
Create Date: 2026-11-30 14:00:00

The rollup is filled by ``coopserv upgrade`` (it rebuilds a rollup never built)
or ``coopserv indicators rebuild --key smart_parking.occupancy``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p13_parking_0001_occupancy'
down_revision = 'p13_more_0001_lot_ngsi_id'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('smart_parking_occupancy',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('occupied_us', sa.BigInteger(), nullable=False),
    sa.Column('arrivals', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['spot_id'], ['smart_parking_spot.id'], name=op.f('fk_smart_parking_occupancy_spot_id_smart_parking_spot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_smart_parking_occupancy_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_smart_parking_occupancy')),
    sa.UniqueConstraint('spot_id', 'month', 'hour', name=op.f('uq_smart_parking_occupancy_spot_id_month_hour'))
    )
    with op.batch_alter_table('smart_parking_occupancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_smart_parking_occupancy_territory_id'), ['territory_id'], unique=False)


def downgrade():
    with op.batch_alter_table('smart_parking_occupancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_smart_parking_occupancy_territory_id'))
    op.drop_table('smart_parking_occupancy')
