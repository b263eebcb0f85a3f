"""smart parking interoperability: spots' NGSI and sensor ids, Orion subscriptions, MQTT mappings

Revision ID: p13_interop_0001_parking
Revises: smart_parking_0001_tables
Create Date: 2026-11-30 03:47:34.651367

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p13_interop_0001_parking'
down_revision = 'smart_parking_0001_tables'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('smart_parking_mqtt_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('sensor_pointer', sa.String(length=200), nullable=False),
    sa.Column('spot_pointer', sa.String(length=200), nullable=False),
    sa.Column('status_pointer', sa.String(length=200), nullable=False),
    sa.Column('status_values', sa.JSON(), nullable=False),
    sa.Column('time_pointer', sa.String(length=200), nullable=False),
    sa.Column('event_id_pointer', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['smart_parking_lot.id'], name=op.f('fk_smart_parking_mqtt_mapping_lot_id_smart_parking_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_smart_parking_mqtt_mapping_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_smart_parking_mqtt_mapping'))
    )
    with op.batch_alter_table('smart_parking_mqtt_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_smart_parking_mqtt_mapping_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_smart_parking_mqtt_mapping_territory_id'), ['territory_id'], unique=False)

    op.create_table('smart_parking_ngsi_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_hint', sa.String(length=8), nullable=False),
    sa.Column('fiware_service', sa.String(length=50), nullable=False),
    sa.Column('fiware_service_path', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_notified_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['smart_parking_lot.id'], name=op.f('fk_smart_parking_ngsi_subscription_lot_id_smart_parking_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_smart_parking_ngsi_subscription_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_smart_parking_ngsi_subscription')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_smart_parking_ngsi_subscription_key_hash'))
    )
    with op.batch_alter_table('smart_parking_ngsi_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_smart_parking_ngsi_subscription_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_smart_parking_ngsi_subscription_territory_id'), ['territory_id'], unique=False)

    with op.batch_alter_table('smart_parking_spot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ngsi_id', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('sensor_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_smart_parking_spot_territory_id_ngsi_id'), ['territory_id', 'ngsi_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_smart_parking_spot_territory_id_sensor_id'), ['territory_id', 'sensor_id'])



def downgrade():
    with op.batch_alter_table('smart_parking_spot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_smart_parking_spot_territory_id_sensor_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_smart_parking_spot_territory_id_ngsi_id'), type_='unique')
        batch_op.drop_column('sensor_id')
        batch_op.drop_column('ngsi_id')

    with op.batch_alter_table('smart_parking_ngsi_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_smart_parking_ngsi_subscription_territory_id'))
        batch_op.drop_index(batch_op.f('ix_smart_parking_ngsi_subscription_lot_id'))

    op.drop_table('smart_parking_ngsi_subscription')
    with op.batch_alter_table('smart_parking_mqtt_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_smart_parking_mqtt_mapping_territory_id'))
        batch_op.drop_index(batch_op.f('ix_smart_parking_mqtt_mapping_lot_id'))

    op.drop_table('smart_parking_mqtt_mapping')
