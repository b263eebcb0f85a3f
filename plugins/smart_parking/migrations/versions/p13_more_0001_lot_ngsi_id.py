"""smart parking: a car park's NGSI id (its spots' refParkingSite in a context broker's notifications)

Revision ID: p13_more_0001_lot_ngsi_id
Revises: p13_interop_0001_parking
Create Date: 2026-11-30 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p13_more_0001_lot_ngsi_id'
down_revision = 'p13_interop_0001_parking'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('smart_parking_lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ngsi_id', sa.String(length=256), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_smart_parking_lot_territory_id_ngsi_id'),
                                          ['territory_id', 'ngsi_id'])


def downgrade():
    with op.batch_alter_table('smart_parking_lot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_smart_parking_lot_territory_id_ngsi_id'), type_='unique')
        batch_op.drop_column('ngsi_id')
