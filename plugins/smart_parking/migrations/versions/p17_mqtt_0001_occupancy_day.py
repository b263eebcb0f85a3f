"""smart parking: occupancy per spot, local day and local hour (a lot's indicators page by days)

Revision ID: p17_mqtt_0001_occupancy_day
Revises: p14_ceilings_0003_parking_jsonb
Create Date: 2026-11-30 17:20:00

Filled by ``coopserv upgrade``: the occupancy rollup's version changed, so it is rebuilt.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p17_mqtt_0001_occupancy_day'
down_revision = 'p14_ceilings_0003_parking_jsonb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('smart_parking_occupancy_day',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('occupied_us', sa.BigInteger(), nullable=False),
    sa.Column('arrivals', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['spot_id'], ['smart_parking_spot.id'], name=op.f('fk_smart_parking_occupancy_day_spot_id_smart_parking_spot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_smart_parking_occupancy_day_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_smart_parking_occupancy_day')),
    sa.UniqueConstraint('spot_id', 'day', 'hour', name=op.f('uq_smart_parking_occupancy_day_spot_id_day_hour'))
    )
    with op.batch_alter_table('smart_parking_occupancy_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_smart_parking_occupancy_day_territory_id'), ['territory_id'], unique=False)


def downgrade():
    with op.batch_alter_table('smart_parking_occupancy_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_smart_parking_occupancy_day_territory_id'))
    op.drop_table('smart_parking_occupancy_day')
